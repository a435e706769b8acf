//! Hook scripts inside a container instance: the host-side process is
//! `podman exec`, supervised like any hook (timeout, Ctrl-C, output through
//! the instance's masking sink). Killing that client does not stop what it
//! started inside, so the script runs under a small `sh` wrapper that
//! records its pid in `/run/gantry/hook.<token>`: a process started by
//! `podman exec` leads its own process group, and when the script times out
//! or is interrupted that whole group is killed inside the container.
//! Services a hook starts detached (`setsid`) keep running, as on a server.
//! A wrapper left by a gantry that was killed outright is stopped when the
//! instance is next brought up ([`STOP_STALE`]).

use std::sync::atomic::{AtomicU64, Ordering};

use super::engine::Engine;
use crate::proc::interrupt::Interrupt;
use crate::proc::process::ProcessSpec;

/// Records the wrapper's pid, runs the script, removes the record.
const WRAPPER: &str = r#"f=/run/gantry/hook.$1; shift; mkdir -p /run/gantry && echo $$ > "$f"; "$@"; rc=$?; rm -f "$f"; exit $rc"#;

/// Kills the process group recorded in `/run/gantry/hook.$1`.
const STOP: &str = r#"f=/run/gantry/hook.$1; [ -s "$f" ] && kill -KILL -"$(cat "$f")" 2>/dev/null; rm -f "$f"; true"#;

/// Kills every hook left running by an earlier gantry.
pub const STOP_STALE: &str = r#"for f in /run/gantry/hook.*; do [ -s "$f" ] && kill -KILL -"$(cat "$f")" 2>/dev/null; rm -f "$f"; done; true"#;

/// Variables the host's value of which means nothing inside a container.
const HOST_ONLY: &[&str] = &["PATH", "HOME", "TMPDIR", "PWD", "SHELL"];

/// One container instance, as hooks see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HookTarget {
    /// The engine.
    pub engine: Engine,
    /// The container's name.
    pub container: String,
}

/// A running hook's handle, to stop it inside the container.
pub struct Running {
    /// Names the pid file of this run of the wrapper.
    pub token: String,
}

impl HookTarget {
    /// `spec` (a script on the host) turned into a `podman exec` of the
    /// same command inside the container, in `/`, with the same variables
    /// (passed by name: their values stay off the command line).
    pub fn wrap(&self, spec: ProcessSpec) -> (ProcessSpec, Running) {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let token = format!(
            "{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut args: Vec<String> = vec!["exec".into(), "--workdir".into(), "/".into()];
        let env: Vec<(String, String)> = spec
            .env
            .into_iter()
            .filter(|(k, _)| !HOST_ONLY.contains(&k.as_str()))
            .collect();
        for (name, _) in &env {
            args.extend(["--env".into(), name.clone()]);
        }
        args.push(self.container.clone());
        args.extend(["sh", "-c", WRAPPER, "gantry-hook"].map(String::from));
        args.push(token.clone());
        args.push(spec.program);
        args.extend(spec.args);
        // The engine's variables, then the hook's (passed in by name).
        // The client runs where every engine call for the instances does.
        let engine = self.engine.command(&args).process(&self.engine.cwd, env);
        let wrapped = ProcessSpec {
            program: engine.program,
            args: engine.args,
            env: engine.env,
            cwd: engine.cwd,
            ..spec
        };
        (wrapped, Running { token })
    }

    /// Kills `running`'s process group inside the container (after a
    /// timeout or Ctrl-C stopped the `podman exec` client).
    pub fn stop(&self, running: &Running) -> Result<(), String> {
        let args = self.sh(STOP, &[&running.token]);
        self.engine.run(&args, &Interrupt::default()).map(drop)
    }

    /// `exec <container> sh -c <script> gantry <args…>`.
    pub fn sh(&self, script: &str, args: &[&str]) -> Vec<String> {
        let mut all: Vec<String> = vec!["exec".into(), self.container.clone()];
        all.extend(["sh", "-c", script, "gantry"].map(String::from));
        all.extend(args.iter().map(|a| a.to_string()));
        all
    }
}
