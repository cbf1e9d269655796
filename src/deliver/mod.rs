//! Delivery (SPEC §7): a finished month's documents sent to each `[[deliver]]` entry —
//! e-mail ([`mail`]) or a chat robot / HTTP endpoint ([`webhook`]) — with the summary
//! messages of [`summary`]. It reads the month's folder as written (the same bytes a run
//! left, whether it runs right after the run or weeks later) and never changes those files;
//! it adds `delivery.json`, the outcome per entry (no secrets). Each entry is tried a few
//! times with back-off and timeouts, so a delivery ends within minutes whatever the
//! servers do.

pub mod mail;
pub mod summary;
pub mod webhook;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::config::{redact, Channel, Config, Delivery, WebhookUrl};
use crate::error::{Error, Result};
use crate::types::Month;

/// How one entry went.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelOutcome {
    pub name: String,
    /// `email` or `webhook:<format>`.
    pub channel: String,
    /// Recipients, or the webhook's scheme and host (never its path or key).
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split: Option<String>,
    pub ok: bool,
    pub attempts: u32,
    pub seconds: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `delivery.json`.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryReport {
    pub schema: &'static str,
    pub month: Month,
    /// When the delivery finished (local time).
    pub finished: String,
    pub channels: Vec<ChannelOutcome>,
}

impl DeliveryReport {
    /// Entries that did not get through.
    pub fn failed(&self) -> usize {
        self.channels.iter().filter(|c| !c.ok).count()
    }
}

/// The latest month folder of `out` that holds a finished run.
pub fn latest_month(out: &Path) -> Option<Month> {
    std::fs::read_dir(out)
        .ok()?
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<Month>().ok())
        .filter(|m| out.join(m.to_string()).join("metrics.json").is_file())
        .max()
}

/// A month's files as a run left them: one folder, or one variant of `--split-by`.
struct Documents {
    metrics: serde_json::Value,
    report: Vec<u8>,
    deck: Vec<u8>,
}

fn documents(folder: &Path) -> std::result::Result<Documents, String> {
    let read = |name: &str| {
        std::fs::read(folder.join(name))
            .map_err(|e| format!("cannot read {} ({e})", folder.join(name).display()))
    };
    let metrics = serde_json::from_slice(&read("metrics.json")?)
        .map_err(|e| format!("{}: {e}", folder.join("metrics.json").display()))?;
    Ok(Documents {
        metrics,
        report: read("report.pdf")?,
        deck: read("deck.pdf")?,
    })
}

/// Sends month `month` of `out` to every `[[deliver]]` entry of `config` and writes
/// `delivery.json` beside the documents.
pub fn deliver(out: &Path, month: Month, config: &Config) -> Result<DeliveryReport> {
    let folder = out.join(month.to_string());
    if !folder.join("metrics.json").is_file() {
        return Err(Error::NoInput {
            dir: folder,
            why:
                "no finished run for this month (metrics.json is missing); run salesplan run first"
                    .into(),
        });
    }
    if config.deliver.is_empty() {
        return Err(Error::Config(
            "no [[deliver]] entries in the configuration: nothing to send".into(),
        ));
    }
    let channels = config
        .deliver
        .iter()
        .map(|d| send_entry(&folder, month, config, d))
        .collect();
    let report = DeliveryReport {
        schema: "salesplan.delivery/1",
        month,
        finished: chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        channels,
    };
    let mut bytes = serde_json::to_vec_pretty(&report)
        .map_err(|e| Error::Internal(format!("delivery.json ({e})")))?;
    bytes.push(b'\n');
    crate::output::write_file(&folder.join("delivery.json"), &bytes)?;
    Ok(report)
}

/// One entry: its documents, its message, then the tries.
fn send_entry(folder: &Path, month: Month, config: &Config, d: &Delivery) -> ChannelOutcome {
    let started = Instant::now();
    let (channel, target) = match &d.channel {
        Channel::Email { to, cc, .. } => (
            "email".to_string(),
            to.iter().chain(cc).cloned().collect::<Vec<_>>().join(", "),
        ),
        Channel::Webhook { url, format } => (
            format!("webhook:{}", format.name()),
            match url {
                WebhookUrl::Literal(u) => redact(u),
                WebhookUrl::Env(name) => format!("${name}"),
            },
        ),
    };
    let mut outcome = ChannelOutcome {
        name: d.name.clone(),
        channel,
        target,
        split: d.split.clone(),
        ok: false,
        attempts: 0,
        seconds: 0.0,
        error: None,
    };
    let result = prepare(folder, month, config, d)
        .and_then(|send| retry(d, &outcome.name, &mut outcome.attempts, send));
    outcome.seconds = (started.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    match result {
        Ok(()) => {
            outcome.ok = true;
            tracing::info!(entry = %outcome.name, attempts = outcome.attempts, "delivered");
        }
        Err(why) => {
            tracing::error!(entry = %outcome.name, attempts = outcome.attempts, "delivery failed: {why}");
            outcome.error = Some(why);
        }
    }
    outcome
}

/// A send, to be tried again on failure.
type Send<'a> = Box<dyn Fn(Duration) -> std::result::Result<(), String> + 'a>;

/// Everything a try needs, read and built once.
fn prepare<'a>(
    folder: &Path,
    month: Month,
    config: &Config,
    d: &'a Delivery,
) -> std::result::Result<Send<'a>, String> {
    let variant: PathBuf = match &d.split {
        Some(key) => folder.join(crate::output::safe_name(key)),
        None => folder.to_path_buf(),
    };
    if d.split.is_some() && !variant.is_dir() {
        return Err(format!(
            "no variant {:?} in {} (run with --split-by for the dimension that has it)",
            d.split.as_deref().unwrap_or(""),
            folder.display()
        ));
    }
    let docs = documents(&variant)?;
    let summary =
        summary::summary(&docs.metrics, config, d.split.as_deref()).map_err(|e| e.to_string())?;
    let names = [format!("report-{month}.pdf"), format!("deck-{month}.pdf")];
    match &d.channel {
        Channel::Email {
            to,
            cc,
            from,
            server,
        } => {
            let files = [
                mail::File {
                    name: names[0].clone(),
                    bytes: &docs.report,
                },
                mail::File {
                    name: names[1].clone(),
                    bytes: &docs.deck,
                },
            ];
            let message = mail::message(&summary, from, to, cc, &files)?;
            Ok(Box::new(move |timeout| {
                mail::send(&message, server, timeout)
            }))
        }
        Channel::Webhook { url, format } => {
            let url = match url {
                WebhookUrl::Literal(u) => u.clone(),
                WebhookUrl::Env(name) => std::env::var(name)
                    .map_err(|_| format!("the environment variable {name} is not set"))?,
            };
            let body = webhook::payload(*format, &summary, &names);
            Ok(Box::new(move |timeout| webhook::post(&url, &body, timeout)))
        }
    }
}

/// Tries `send` up to `d.attempts` times, waiting `retry_delay`, then twice that, between.
fn retry(
    d: &Delivery,
    name: &str,
    attempts: &mut u32,
    send: Send,
) -> std::result::Result<(), String> {
    let mut delay = d.retry_delay;
    loop {
        *attempts += 1;
        match send(d.timeout) {
            Ok(()) => return Ok(()),
            Err(why) if *attempts < d.attempts => {
                tracing::warn!(entry = %name, attempt = *attempts, "delivery failed, trying again in {delay:?}: {why}");
                std::thread::sleep(delay);
                delay *= 2;
            }
            Err(why) => return Err(why),
        }
    }
}
