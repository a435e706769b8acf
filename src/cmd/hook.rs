//! `gantry hook install|uninstall|status`, and `gantry hook pre-push`, which
//! the installed hook runs.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

mod push;

use super::Globals;
use crate::cli::{HookCommand, HookStages};
use crate::error::UsageError;
use crate::git::hook::{pushed_refs, HookSettings, HookState, HooksDir};

/// Runs a `gantry hook` subcommand.
pub fn execute(globals: &Globals, command: &HookCommand) -> anyhow::Result<u8> {
    let hooks = HooksDir::discover(&globals.cwd)?;
    match command {
        HookCommand::Install(stages) => {
            check_stages(globals, stages)?;
            let gantry = std::env::current_exe()?;
            let settings = HookSettings {
                to: stages.to.clone(),
                skip: stages.skip.clone(),
                all: stages.all,
                chained: false,
            };
            println!("{}", hooks.install(&gantry, &settings)?);
            Ok(0)
        }
        HookCommand::Uninstall => {
            println!("{}", hooks.uninstall()?);
            Ok(0)
        }
        HookCommand::Status => status(&hooks),
        HookCommand::PrePush {
            stages,
            chained,
            remote,
            url,
        } => {
            let git_args: Vec<String> = remote.iter().chain(url).cloned().collect();
            pre_push(&hooks, stages, *chained, &git_args)
        }
    }
}

/// `--to`/`--skip` must name stages of the pipeline in the work tree now.
fn check_stages(globals: &Globals, stages: &HookStages) -> anyhow::Result<()> {
    if stages.to.is_none() && stages.skip.is_empty() {
        return Ok(());
    }
    let pipeline = globals.load_pipeline()?;
    let selection = crate::plan::Selection {
        to: stages.to.clone(),
        skip: stages.skip.clone(),
        ..Default::default()
    };
    crate::plan::select(&pipeline, &selection)?;
    Ok(())
}

fn status(hooks: &HooksDir) -> anyhow::Result<u8> {
    let source = if hooks.from_config {
        " (core.hooksPath)"
    } else {
        ""
    };
    println!("hooks directory: {}{source}", hooks.dir.display());
    let state = hooks.state();
    let said = match &state {
        HookState::Gantry(_) => "gantry's hook is installed",
        HookState::Foreign => "another pre-push hook is installed (not gantry's)",
        HookState::Absent => "no pre-push hook is installed",
    };
    println!("pre-push: {said}");
    if let HookState::Gantry(settings) = &state {
        let mut stages = if settings.all {
            "every stage".to_string()
        } else {
            "stages that neither deploy nor ask for approval".to_string()
        };
        if let Some(to) = &settings.to {
            stages.push_str(&format!(", up to {to}"));
        }
        if !settings.skip.is_empty() {
            stages.push_str(&format!(", without {}", settings.skip.join(", ")));
        }
        println!("a push runs: {stages}");
    }
    if hooks.chained_exists() {
        match &state {
            HookState::Gantry(s) if s.chained => {
                println!("chained: {} runs before gantry", hooks.chained().display())
            }
            _ => println!(
                "stale: {} is not run by anything (gantry did not chain it)",
                hooks.chained().display()
            ),
        }
    }
    Ok(0)
}

/// Runs the chained hook (if gantry chained one), then the chosen stages of
/// the pipeline on a snapshot of each pushed commit; the first failure
/// blocks the push.
fn pre_push(
    hooks: &HooksDir,
    stages: &HookStages,
    chained: bool,
    git_args: &[String],
) -> anyhow::Result<u8> {
    let mut stdin = String::new();
    std::io::stdin().read_to_string(&mut stdin)?;
    if chained {
        if let Some(code) = run_chained(hooks, git_args, &stdin)? {
            return Ok(code);
        }
    }
    let gantry = std::env::current_exe()?;
    let mut seen = Vec::new();
    for pushed in pushed_refs(&stdin) {
        if seen.contains(&pushed.local_sha) {
            continue;
        }
        seen.push(pushed.local_sha.clone());
        let short = &pushed.local_sha[..pushed.local_sha.len().min(7)];
        let about = format!(
            "{short} ({} → {} on {})",
            pushed.local_ref,
            pushed.remote_ref,
            git_args.first().map_or("the remote", String::as_str)
        );
        let chosen = push::committed_pipeline(&hooks.workdir, &pushed.local_sha)
            .and_then(|pipeline| Ok(push::choose(&pipeline, stages)?));
        let chosen = match chosen {
            Ok(chosen) => chosen,
            Err(e) => {
                eprintln!("gantry: cannot check {about}: {e:#}");
                eprintln!("gantry: push stopped (`git push --no-verify` skips this check)");
                return Ok(crate::error::EXIT_USAGE);
            }
        };
        if chosen.run.is_empty() {
            eprintln!("gantry: checking {about}: no stage to run — {}", chosen.why);
            continue;
        }
        eprintln!(
            "gantry: checking {about}: runs {} — {}",
            chosen.run.join(", "),
            chosen.why
        );
        let status = Command::new(&gantry)
            .args([
                "run",
                &format!("--snapshot={}", pushed.local_sha),
                "--pre-push",
            ])
            .args(&chosen.run)
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

/// Runs the chained hook with git's arguments and stdin; `Some(code)` if it
/// failed. Like git, a hook that is not executable (or a dangling symlink)
/// is not run.
fn run_chained(hooks: &HooksDir, git_args: &[String], stdin: &str) -> anyhow::Result<Option<u8>> {
    let chained = hooks.chained();
    let runnable = std::fs::metadata(&chained)
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
    if !runnable {
        if hooks.chained_exists() {
            eprintln!(
                "gantry: {} is not an executable file, so it is not run (as git would not run it)",
                chained.display()
            );
        }
        return Ok(None);
    }
    let mut child = Command::new(&chained)
        .args(git_args)
        .current_dir(&hooks.workdir)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| {
            UsageError(format!(
                "cannot run the chained hook {}: {e}",
                chained.display()
            ))
        })?;
    if let Some(mut input) = child.stdin.take() {
        // A hook that does not read its stdin closes the pipe early: not an error.
        let _ = input.write_all(stdin.as_bytes());
    }
    let status = child.wait()?;
    Ok((!status.success()).then(|| status.code().unwrap_or(1).clamp(1, 255) as u8))
}
