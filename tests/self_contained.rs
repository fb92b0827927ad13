//! The test suite must pass on a fresh clone with nothing beside it: no file of the code, tests,
//! benches or examples may reach outside the repository into the `shared` folder beside a
//! checkout (it is not part of a clone).

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn no_source_reads_outside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["tests", "src", "benches", "examples"] {
        sources(&root.join(dir), &mut files);
    }
    assert!(
        files.iter().any(|f| f.ends_with("tests/classify.rs")),
        "the scan found no test sources under {}",
        root.display()
    );
    // Spelled in two pieces so this file does not match itself.
    let needle = format!("..{}shared", '/');
    let offenders: Vec<String> = files
        .iter()
        // Every file, text or not: a path is a path wherever it is written.
        .filter(|f| {
            std::fs::read(f)
                .map(|b| String::from_utf8_lossy(&b).contains(&needle))
                .unwrap_or(false)
        })
        .map(|f| f.strip_prefix(root).unwrap_or(f).display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "these files reference {needle}, outside the repository: {offenders:?}"
    );
}
