//! `gantry hook install|uninstall|status`, and `gantry hook pre-push`, which
//! the installed hook runs.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use super::Globals;
use crate::cli::HookCommand;
use crate::git::hook::{pushed_refs, HookState, HooksDir};

/// Runs a `gantry hook` subcommand.
pub fn execute(globals: &Globals, command: &HookCommand) -> anyhow::Result<u8> {
    let hooks = HooksDir::discover(&globals.cwd)?;
    match command {
        HookCommand::Install => {
            let gantry = std::env::current_exe()?;
            println!("{}", hooks.install(&gantry)?);
            Ok(0)
        }
        HookCommand::Uninstall => {
            println!("{}", hooks.uninstall()?);
            Ok(0)
        }
        HookCommand::Status => status(&hooks),
        HookCommand::PrePush { remote, url } => {
            let git_args: Vec<String> = remote.iter().chain(url).cloned().collect();
            pre_push(&hooks, &git_args)
        }
    }
}

fn status(hooks: &HooksDir) -> anyhow::Result<u8> {
    let source = if hooks.from_config {
        " (core.hooksPath)"
    } else {
        ""
    };
    println!("hooks directory: {}{source}", hooks.dir.display());
    let state = match hooks.state() {
        HookState::Gantry => "gantry's hook is installed",
        HookState::Foreign => "another pre-push hook is installed (not gantry's)",
        HookState::Absent => "no pre-push hook is installed",
    };
    println!("pre-push: {state}");
    if hooks.chained().exists() {
        println!("chained: {} runs before gantry", hooks.chained().display());
    }
    Ok(0)
}

/// Runs the chained hook (if any), then the pipeline on a snapshot of each
/// pushed commit; the first failure blocks the push.
fn pre_push(hooks: &HooksDir, git_args: &[String]) -> anyhow::Result<u8> {
    let mut stdin = String::new();
    std::io::stdin().read_to_string(&mut stdin)?;
    if let Some(code) = run_chained(hooks, git_args, &stdin)? {
        return Ok(code);
    }
    let gantry = std::env::current_exe()?;
    let mut seen = Vec::new();
    for pushed in pushed_refs(&stdin) {
        if seen.contains(&pushed.local_sha) {
            continue;
        }
        seen.push(pushed.local_sha.clone());
        let short = &pushed.local_sha[..pushed.local_sha.len().min(7)];
        eprintln!(
            "gantry: checking {short} ({} → {} on {}) before the push",
            pushed.local_ref,
            pushed.remote_ref,
            git_args.first().map_or("the remote", String::as_str)
        );
        let status = Command::new(&gantry)
            .args(["run", &format!("--snapshot={}", pushed.local_sha)])
            .current_dir(&hooks.workdir)
            .stdin(Stdio::null())
            .status()?;
        if !status.success() {
            eprintln!("gantry: the pipeline failed on {short}; push stopped (`git push --no-verify` skips this check)");
            return Ok(status.code().unwrap_or(1).clamp(1, 255) as u8);
        }
    }
    Ok(0)
}

/// Runs a chained hook with git's arguments and stdin; `Some(code)` if it failed.
fn run_chained(hooks: &HooksDir, git_args: &[String], stdin: &str) -> anyhow::Result<Option<u8>> {
    let chained = hooks.chained();
    if !chained.exists() {
        return Ok(None);
    }
    let mut child = Command::new(&chained)
        .args(git_args)
        .current_dir(&hooks.workdir)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot run the chained hook {}: {e}", chained.display()))?;
    if let Some(mut input) = child.stdin.take() {
        // A hook that does not read its stdin closes the pipe early: not an error.
        let _ = input.write_all(stdin.as_bytes());
    }
    let status = child.wait()?;
    Ok((!status.success()).then(|| status.code().unwrap_or(1).clamp(1, 255) as u8))
}
