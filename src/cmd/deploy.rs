//! `gantry deploy`: one deployment (or rollback) of a group, run as a
//! one-action plan through the same executor and reporters as `gantry run`,
//! so the live output, logs, run record and summary are the same.
//!
//! The action is the group's `deploy:` action from `gantry.yml` when there
//! is one (its environment, timeout and paths), else a plain one; the
//! command-line options override its paths.

use std::path::{Path, PathBuf};

use super::Globals;
use crate::cli::DeployArgs;
use crate::config::deploy::{DeployAction, DeployGroup, DeploymentConfig};
use crate::config::valid_name;
use crate::config::{Action, ActionKind, Pipeline, Stage};
use crate::deploy::{Instance, Mode};
use crate::diagnostics::Span;
use crate::driver::{self, Job, RunOptions};
use crate::error::UsageError;
use crate::git::GitInfo;
use crate::plan::{self, Plan, PlanOptions, Selection, Work};

/// The instance name used with `--root`.
const ROOT_INSTANCE: &str = "root";

/// Deploys and returns the exit code.
pub fn execute(globals: &Globals, args: &DeployArgs) -> anyhow::Result<u8> {
    let pipeline = globals.load_pipeline()?;
    let group = group_name(&pipeline, args)?;
    check_revision(globals, args)?;
    let single = one_action_pipeline(&pipeline, &group, globals, args);
    let git = GitInfo::discover(&pipeline.root);
    let planner = |run_id: String| -> anyhow::Result<Plan> {
        let options = PlanOptions {
            selection: &Selection::default(),
            cli_env: &[],
            run_id,
            git: git.clone(),
        };
        let mut plan = plan::plan(&single, options)?;
        adjust(&mut plan, globals, args);
        Ok(plan)
    };
    if args.shell.is_some() || args.reset {
        // Planned only to resolve the group's job: no run is recorded.
        return super::deploy_instances::execute(&planner(String::new())?, args);
    }
    if let Some(root) = &args.root {
        if globals
            .cwd
            .join(root)
            .canonicalize()
            .is_ok_and(|r| r == Path::new("/"))
        {
            eprintln!("gantry: --root /: deploying onto this machine for real; files go to their real paths");
        }
    }
    let job = Job {
        state_root: &pipeline.root,
        keep_runs: pipeline.keep_runs,
        planner: &planner,
        files: None,
        snapshot: None,
        retry_of: None,
        env: &[],
        interrupt: None,
    };
    let options = RunOptions {
        output: args.output,
        junit: args.junit.as_ref().map(|path| globals.cwd.join(path)),
        approve: args.yes,
        cache: false,
        quiet: globals.quiet,
        verbose: globals.verbose,
        ..RunOptions::default()
    };
    driver::run(job, &options)
}

/// `--group`, else the only group, else `local` with `--root`.
fn group_name(pipeline: &Pipeline, args: &DeployArgs) -> Result<String, UsageError> {
    let names: Vec<&str> = pipeline
        .deploy_groups
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    match (&args.group, names.as_slice(), &args.root) {
        (Some(g), _, _) if !valid_name(g) => Err(UsageError(format!(
            "invalid group name `{g}`: use letters, digits, `.`, `_` and `-`"
        ))),
        (Some(g), _, Some(_)) => Ok(g.clone()),
        (Some(g), _, None) if names.contains(&g.as_str()) => Ok(g.clone()),
        (Some(g), _, None) => Err(UsageError(format!(
            "no deployment group `{g}` in {}; {}",
            pipeline.file.display(),
            known(&names)
        ))),
        (None, [only], _) => Ok(only.to_string()),
        (None, _, Some(_)) => Ok("local".into()),
        (None, _, None) => Err(UsageError(format!(
            "say which group to deploy with --group; {}",
            known(&names)
        ))),
    }
}

/// `--revision` and `--appspec` name a revision that can be deployed: a
/// mistake there is one in the command line, found before a run starts.
fn check_revision(globals: &Globals, args: &DeployArgs) -> Result<(), UsageError> {
    let appspec = args.appspec.as_ref().map(|a| globals.cwd.join(a));
    let revision = match (&args.revision, &appspec) {
        (Some(r), _) => globals.cwd.join(r),
        (None, Some(a)) => a
            .parent()
            .map_or_else(|| globals.cwd.clone(), Path::to_path_buf),
        (None, None) => return Ok(()),
    };
    crate::deploy::job::appspec_file(&revision, appspec.as_deref())
        .map(drop)
        .map_err(UsageError)
}

fn known(names: &[&str]) -> String {
    if names.is_empty() {
        "gantry.yml declares none: add `deploy_groups: { dev: { instances: 1 } }`, or deploy onto a folder with --root DIR".into()
    } else {
        format!("groups: {}", names.join(", "))
    }
}

/// The pipeline reduced to one stage with the group's deploy action.
fn one_action_pipeline(
    pipeline: &Pipeline,
    group: &str,
    globals: &Globals,
    args: &DeployArgs,
) -> Pipeline {
    let found = pipeline.stages.iter().find_map(|s| {
        let a = s
            .actions
            .iter()
            .find(|a| matches!(&a.kind, ActionKind::Deploy(d) if d.group == group))?;
        Some((s.name.clone(), s.file.clone(), a.clone()))
    });
    let (stage, file, mut action) =
        found.unwrap_or_else(|| ("deploy".into(), pipeline.file.clone(), plain_action(group)));
    if let ActionKind::Deploy(deploy) = &mut action.kind {
        let absolute = |p: &PathBuf| (globals.cwd.join(p).display().to_string(), Span::default());
        if let Some(r) = &args.revision {
            deploy.revision = Some(absolute(r));
            deploy.appspec = None;
        }
        if let Some(a) = &args.appspec {
            deploy.appspec = Some(absolute(a));
            if args.revision.is_none() {
                deploy.revision = None;
            }
        }
        deploy.rollback &= !args.no_rollback;
        deploy.ignore_application_stop_failures |= args.ignore_application_stop_failures;
    }
    let mut single = pipeline.clone();
    if !single.deploy_groups.iter().any(|g| g.name == group) {
        single.deploy_groups.push(DeployGroup {
            name: group.to_string(),
            span: Span::default(),
            instances: vec![PathBuf::new()],
            config: DeploymentConfig::AllAtOnce,
            approval: false,
            max_parallel: None,
            link_bundle: false,
            container: None,
        });
    }
    single.stages = vec![Stage {
        name: stage,
        span: Span::default(),
        file,
        actions: vec![action],
        env: Vec::new(),
    }];
    crate::config::insert_group_gates(&mut single);
    single
}

fn plain_action(group: &str) -> Action {
    Action {
        name: group.to_string(),
        span: Span::default(),
        kind: ActionKind::Deploy(DeployAction {
            group: group.to_string(),
            span: Span::default(),
            revision: None,
            appspec: None,
            rollback: true,
            ignore_application_stop_failures: false,
        }),
        env: Vec::new(),
        timeout: None,
        run_order: None,
        continue_on_error: false,
        always: false,
        condition: None,
        working_directory: None,
        retries: 0,
        inputs: Vec::new(),
        outputs: Vec::new(),
        cache: None,
        tools: Vec::new(),
        shell: "sh".into(),
        matrix: None,
        container: None,
    }
}

/// `--rollback` and `--root` on the planned job.
fn adjust(plan: &mut Plan, globals: &Globals, args: &DeployArgs) {
    for action in plan
        .stages
        .iter_mut()
        .flat_map(|s| s.groups.iter_mut().flatten())
    {
        let Work::Deploy(job) = &mut action.work else {
            continue;
        };
        if args.rollback {
            job.mode = Mode::Rollback;
        }
        if args.recover {
            job.mode = Mode::Recover;
        }
        if let Some(root) = &args.root {
            job.instances = vec![Instance {
                name: ROOT_INSTANCE.into(),
                root: globals.cwd.join(root),
                explicit: true,
                container: None,
            }];
            job.container = None;
        }
        action.command = job.describe(&plan.root);
    }
}
