//! Fuzz target: arbitrary bytes as an input file (xlsx, xls, ods or csv, chosen by the
//! first byte) through the whole ingest stage. Any panic or abort is a bug; errors are fine.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, bytes)) = data.split_first() else { return };
    let name = ["f.xlsx", "f.xls", "f.ods", "f.csv"][kind as usize % 4];
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(name), bytes).expect("write");
    let _ = salesplan::ingest::read_inputs(dir.path(), &salesplan::Config::default());
});
