//! A throwaway PostgreSQL cluster for tests: `initdb` into a temporary directory, a server on a
//! free loopback port (trust authentication, no fsync), one database, stopped and deleted on
//! drop. Nothing depends on a pre-existing database.
//!
//! initdb and postgres refuse to run as root, so when the tests run as root the data directory is
//! handed to the `postgres` system user and the server binaries run through `runuser`. The
//! binaries are the newest `/usr/lib/postgresql/<version>/bin` (or `$JULIA_PG_BIN`).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A running (or deliberately stopped) test cluster.
pub struct PgCluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    /// Run the server binaries as this system user (when we are root).
    run_as: Option<String>,
}

const DATABASE: &str = "julia";
const SUPERUSER: &str = "postgres";

impl PgCluster {
    /// Creates the cluster and its database and starts the server.
    pub fn start() -> PgCluster {
        let bin = server_bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("julia-pg-")
            .tempdir()
            .expect("temporary directory for the cluster");
        // SAFETY: geteuid has no preconditions.
        let root = unsafe { libc::geteuid() } == 0;
        let run_as = root.then(|| "postgres".to_string());
        if let Some(user) = &run_as {
            let (uid, gid) = (id_of(user, "-u"), id_of(user, "-g"));
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
                .expect("hand the cluster directory to postgres");
        }
        let cluster = PgCluster {
            bin,
            dir,
            port: free_port(),
            run_as,
        };
        let data = cluster.data_dir();
        cluster.server_tool(
            "initdb",
            [
                OsStr::new("-D"),
                data.as_os_str(),
                OsStr::new("-A"),
                OsStr::new("trust"),
                OsStr::new("-U"),
                OsStr::new(SUPERUSER),
                OsStr::new("-E"),
                OsStr::new("UTF8"),
                OsStr::new("--locale=C"),
                OsStr::new("--no-sync"),
            ],
        );
        cluster.start_server();
        cluster.psql_on("postgres", &format!("CREATE DATABASE {DATABASE}"));
        cluster
    }

    /// `postgres://postgres@127.0.0.1:PORT/julia`
    pub fn url(&self) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{DATABASE}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server the hard way (`pg_ctl stop -m immediate`: every connection is cut, no
    /// checkpoint), as a crash or a failover would.
    pub fn stop(&self) {
        let data = self.data_dir();
        self.server_tool(
            "pg_ctl",
            [
                OsStr::new("-D"),
                data.as_os_str(),
                OsStr::new("-m"),
                OsStr::new("immediate"),
                OsStr::new("-w"),
                OsStr::new("stop"),
            ],
        );
    }

    /// Starts the stopped server again on the same port and data.
    pub fn start_server(&self) {
        let data = self.data_dir();
        let log = self.dir.path().join("server.log");
        // fsync=off is safe here: the tests crash the server process, never the OS, and the
        // kernel keeps written WAL. synchronous_commit stays on: with it off a crash (stop -m
        // immediate) drops acknowledged commits, which is not the durability under test.
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories={} -c fsync=off \
             -c full_page_writes=off -c max_connections=200",
            self.port,
            self.dir.path().display()
        );
        self.server_tool(
            "pg_ctl",
            [
                OsStr::new("-D"),
                data.as_os_str(),
                OsStr::new("-l"),
                log.as_os_str(),
                OsStr::new("-o"),
                OsStr::new(&options),
                OsStr::new("-w"),
                OsStr::new("-t"),
                OsStr::new("60"),
                OsStr::new("start"),
            ],
        );
    }

    /// Creates another empty database (isolation between tests sharing a cluster); its URL.
    pub fn create_database(&self, name: &str) -> String {
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "plain name"
        );
        self.psql_on("postgres", &format!("CREATE DATABASE {name}"));
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{name}", self.port)
    }

    /// Runs one SQL statement in the test database; its rows as `psql -At` prints them
    /// (one line per row, columns separated by `|`).
    pub fn psql(&self, sql: &str) -> String {
        self.psql_on(DATABASE, sql)
    }

    fn psql_on(&self, database: &str, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                SUPERUSER,
                "-d",
                database,
            ])
            .args(["-v", "ON_ERROR_STOP=1", "-At", "-c", sql])
            .output()
            .expect("run psql");
        check("psql", &out);
        String::from_utf8_lossy(&out.stdout).trim_end().to_string()
    }

    /// The server log so far (for failure messages).
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Runs one of the server binaries, as the postgres user when we are root.
    fn server_tool<'a>(&self, tool: &str, args: impl IntoIterator<Item = &'a OsStr>) {
        let program = self.bin.join(tool);
        let mut command = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        // pg_ctl's server inherits our stdio unless told otherwise; the log file has it all.
        let out = command
            .args(args)
            .current_dir(self.dir.path())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
        if !out.status.success() {
            panic!(
                "{tool} failed ({}):\n{}\n{}\nserver log:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                self.log_text()
            );
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.data_dir();
        if data.join("postmaster.pid").exists() {
            let program = self.bin.join("pg_ctl");
            let mut command = match &self.run_as {
                Some(user) => {
                    let mut c = Command::new("runuser");
                    c.args(["-u", user, "--"]).arg(&program);
                    c
                }
                None => Command::new(&program),
            };
            let _ = command
                .arg("-D")
                .arg(&data)
                .args(["-m", "immediate", "-w", "stop"])
                .output();
        }
        // The TempDir removes the files (root may delete the postgres user's files).
    }
}

/// One cluster shared by the tests of a process that are running at the same time; it stops
/// when the last of them lets go (a plain static would never be dropped, leaving the server
/// running after the tests).
pub fn shared() -> std::sync::Arc<PgCluster> {
    use std::sync::{Arc, Mutex, Weak};
    static SHARED: Mutex<Weak<PgCluster>> = Mutex::new(Weak::new());
    let mut slot = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(cluster) = slot.upgrade() {
        return cluster;
    }
    let cluster = Arc::new(PgCluster::start());
    *slot = Arc::downgrade(&cluster);
    cluster
}

/// The newest installed PostgreSQL server binaries.
pub fn server_bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("JULIA_PG_BIN") {
        return PathBuf::from(dir);
    }
    let root = Path::new("/usr/lib/postgresql");
    let newest = std::fs::read_dir(root).ok().and_then(|entries| {
        entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let version: u32 = e.file_name().to_str()?.parse().ok()?;
                let bin = e.path().join("bin");
                bin.join("initdb").is_file().then_some((version, bin))
            })
            .max_by_key(|(version, _)| *version)
    });
    match newest {
        Some((_, bin)) => bin,
        None => panic!(
            "no PostgreSQL server found under /usr/lib/postgresql (install `postgresql`, or set JULIA_PG_BIN)"
        ),
    }
}

fn id_of(user: &str, which: &str) -> u32 {
    let out = Command::new("id")
        .args([which, user])
        .output()
        .expect("run id");
    check("id", &out);
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("no numeric id for user {user}"))
}

fn check(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A loopback port nobody listens on right now.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}
