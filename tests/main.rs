//! salesplan's integration tests: one binary (see Cargo.toml), each module a theme. They
//! run the real `salesplan` on files built by the tests.

mod common;
mod deliver;
mod demo;
mod families;
mod hostile;
mod ingest;
mod kpis;
mod outputs;
mod pages;
mod real;
mod render;
mod targets;
mod unattended;
