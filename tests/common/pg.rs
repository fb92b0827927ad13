#![allow(dead_code)]
//! A throwaway PostgreSQL cluster for the tests, started from the system's server binaries
//! (`/usr/lib/postgresql/*/bin`, or `initdb` on PATH) in a temporary directory, on a free port
//! and a socket directory of its own. Under root the server runs as the `postgres` OS user
//! (initdb refuses root). The server gets the parent-death signal, so it ends with the test
//! binary; it is started from a thread that lives as long as the process.
//!
//! Each test takes a database of its own with an owner of its own; logins are cluster-wide,
//! so a test's logins carry its database's name.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{mpsc, OnceLock};

pub struct Cluster {
    pub port: u16,
    pub dir: PathBuf,
    /// The CA that signed the server's certificate (for `localhost` only, not 127.0.0.1).
    pub ca: PathBuf,
}

/// A test CA and a server certificate for `localhost`, made with the openssl command.
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let o = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl runs");
        assert!(
            o.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=frist test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(
        dir.join("ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "ext",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("server.crt"),
        dir.join("server.key"),
    )
}

/// The server binaries, newest version first.
fn bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists() && p.join("postgres").exists())
        .collect();
    dirs.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    if let Some(d) = dirs.pop() {
        return Some(d);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find(|d| d.join("initdb").exists() && d.join("postgres").exists())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a server binary, as `postgres` when we are root.
fn server_cmd(bin: &Path, root: bool) -> Command {
    let mut c = Command::new("setpriv");
    if root {
        c.args(["--reuid=postgres", "--regid=postgres", "--init-groups"]);
    }
    c.args(["--pdeathsig", "KILL"]);
    c.arg(bin);
    c
}

fn chown_postgres(p: &Path) {
    let st = Command::new("chown")
        .args(["-R", "postgres:postgres"])
        .arg(p)
        .status()
        .expect("chown runs");
    assert!(st.success(), "chown postgres {}", p.display());
}

fn start() -> Cluster {
    let bin = bin_dir().unwrap_or_else(|| {
        panic!("no PostgreSQL server binaries (initdb, postgres) under /usr/lib/postgresql/*/bin or on PATH: install PostgreSQL (Debian: apt-get install postgresql) to run the team-mode tests")
    });
    let root = is_root();
    let dir = tempfile::Builder::new()
        .prefix("frist-pg-")
        .tempdir()
        .unwrap()
        .keep();
    let data = dir.join("data");
    let sock = dir.join("sock");
    std::fs::create_dir_all(&sock).unwrap();
    let (ca, cert, key) = certificates(&dir);
    let mut perms = std::fs::metadata(&key).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
    std::fs::set_permissions(&key, perms).unwrap();
    if root {
        chown_postgres(&dir);
    }
    let out = server_cmd(&bin.join("initdb"), root)
        .args(["-D"])
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ])
        .output()
        .expect("initdb runs");
    assert!(
        out.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (tx, rx) = mpsc::channel::<Result<(), String>>();
    let bin2 = bin.clone();
    let (data2, sock2) = (data.clone(), sock.clone());
    let ssl = [
        "-c".to_string(),
        "ssl=on".to_string(),
        "-c".to_string(),
        format!("ssl_cert_file={}", cert.display()),
        "-c".to_string(),
        format!("ssl_key_file={}", key.display()),
    ];
    // The server's parent is this thread, which never ends before the process does.
    std::thread::spawn(move || {
        let mut child = server_cmd(&bin2.join("postgres"), root)
            .arg("-D")
            .arg(&data2)
            .args(["-p", &port.to_string(), "-k"])
            .arg(&sock2)
            .args([
                "-c",
                "listen_addresses=localhost,127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
                "-c",
                "logging_collector=off",
            ])
            .args(&ssl)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("postgres starts");
        let err = child.stderr.take().unwrap();
        let mut tx = Some(tx);
        let mut log = String::new();
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            if line.contains("ready to accept connections") {
                if let Some(t) = tx.take() {
                    let _ = t.send(Ok(()));
                }
            } else if tx.is_some() {
                log.push_str(&line);
                log.push('\n');
            }
        }
        if let Some(t) = tx.take() {
            let _ = t.send(Err(log));
        }
        let _ = child.wait();
        loop {
            std::thread::park();
        }
    });
    match rx.recv() {
        Ok(Ok(())) => {}
        Ok(Err(log)) => panic!("postgres did not start:\n{log}"),
        Err(_) => panic!("postgres did not start"),
    }
    Cluster { port, dir, ca }
}

pub fn cluster() -> &'static Cluster {
    static C: OnceLock<Cluster> = OnceLock::new();
    C.get_or_init(start)
}

/// A connection as `user` to `db` (no TLS: loopback test server).
pub fn connect(user: &str, db: &str) -> postgres::Client {
    let c = cluster();
    postgres::Client::connect(
        &format!("host=127.0.0.1 port={} user={user} dbname={db}", c.port),
        postgres::NoTls,
    )
    .unwrap_or_else(|e| panic!("connect as {user} to {db}: {e}"))
}

/// A fresh database owned by a fresh owner (CREATEROLE, not a superuser).
pub struct Db {
    pub name: String,
    pub owner: String,
}

impl Db {
    pub fn new(tag: &str) -> Db {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "{tag}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let owner = format!("{name}_owner");
        let mut su = connect("postgres", "postgres");
        su.batch_execute(&format!("CREATE ROLE \"{owner}\" LOGIN CREATEROLE"))
            .unwrap();
        su.batch_execute(&format!("CREATE DATABASE \"{name}\" OWNER \"{owner}\""))
            .unwrap();
        Db { name, owner }
    }

    /// The URL for `--db` as `user` (a login of this database's, by its short name, or the
    /// owner with `owner`).
    pub fn url(&self, user: &str) -> String {
        format!(
            "postgres://{}@127.0.0.1:{}/{}?sslmode=disable",
            self.login(user),
            cluster().port,
            self.name
        )
    }

    /// A login's full, cluster-unique name.
    pub fn login(&self, short: &str) -> String {
        if short == "owner" {
            self.owner.clone()
        } else {
            format!("{}_{short}", self.name)
        }
    }

    pub fn connect(&self, user: &str) -> postgres::Client {
        connect(&self.login(user), &self.name)
    }
}
