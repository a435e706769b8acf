//! Where a run's pipeline comes from: the work tree, or a snapshot of a
//! commit (`--snapshot`). Records always go to the real repository.

use std::path::PathBuf;

use crate::cache::{Cache, FileIndex};
use crate::cmd::Globals;
use crate::config::{self, Pipeline};
use crate::diagnostics::ConfigError;
use crate::error::UsageError;
use crate::git::snapshot::Snapshot;
use crate::git::GitInfo;
use crate::summary::SnapshotInfo;

/// A pipeline ready to plan.
pub struct Source {
    /// The pipeline; its `root` is where actions run.
    pub pipeline: Pipeline,
    /// Where `.gantry/` is: the real repository's pipeline root.
    pub state_root: PathBuf,
    /// The git context of what runs.
    pub git: GitInfo,
    /// The checkout, for snapshot runs (removed when dropped unless kept).
    pub snapshot: Option<Snapshot>,
    /// File lookups for the cache (through the git index in a work tree,
    /// the commit's tree in a snapshot), when some action is cached.
    pub files: Option<FileIndex>,
}

impl Source {
    /// Loads the pipeline from the work tree, or from a snapshot of `rev`.
    /// `clean` starts the snapshot's checkout afresh.
    pub fn load(globals: &Globals, rev: Option<&str>, clean: bool) -> anyhow::Result<Source> {
        let real_config = config::find_config(&globals.cwd, globals.config_file.as_deref())?;
        let Some(rev) = rev else {
            let pipeline = config::load(&real_config)?;
            let state_root = pipeline.root.clone();
            let table = Cache::table_path(&state_root, false);
            let files = FileIndex::for_worktree(&pipeline.root).with_table(table);
            let (git, files) = if files.tells_dirty() {
                // The cache's scan of the tree also tells whether it is
                // dirty: one walk instead of two (and when no action is
                // cached there is no scan, and status runs alone).
                let files = Cache::prefetch(&pipeline, files);
                let dirty = files.as_ref().and_then(FileIndex::dirty);
                (GitInfo::discover_knowing(&pipeline.root, dirty), files)
            } else {
                // `git status` over a large tree and the cache's look at
                // the inputs both stat many files: do them at the same time.
                std::thread::scope(|scope| {
                    let git = scope.spawn(|| GitInfo::discover(&pipeline.root));
                    let files = Cache::prefetch(&pipeline, files);
                    (git.join().unwrap_or_default(), files)
                })
            };
            return Ok(Source {
                pipeline,
                state_root,
                git,
                snapshot: None,
                files,
            });
        };
        let state_root = real_config.parent().map(PathBuf::from).unwrap_or_default();
        crate::driver::ensure_state_dir(&state_root)?;
        let state_dir = state_root.join(crate::record::STATE_DIR);
        let waiting = |dir: &std::path::Path| {
            eprintln!(
                "gantry: another snapshot run is using {}; waiting for it to finish",
                dir.display()
            )
        };
        let snapshot = Snapshot::checkout(&globals.cwd, rev, &state_dir, clean, &waiting)?;
        let short: String = snapshot.commit.chars().take(7).collect();
        let config_path = snapshot
            .map(&real_config)
            .filter(|p| p.is_file())
            .ok_or_else(|| {
                UsageError(format!(
                    "{} is not committed at {rev} ({short}); commit it or run without --snapshot",
                    real_config.display()
                ))
            })?;
        let mut pipeline =
            config::load(&config_path).map_err(|e| relabel(e, &real_config, &short))?;
        pipeline.state_root = state_root.clone();
        // A name taken from the directory must be the real one, not the checkout's.
        if pipeline.root.file_name() == Some(std::ffi::OsStr::new(&pipeline.name)) {
            if let Some(name) = state_root
                .canonicalize()
                .ok()
                .and_then(|r| r.file_name().map(|n| n.to_string_lossy().into_owned()))
            {
                pipeline.name = name;
            }
        }
        // An env file holds local settings and secrets, usually untracked:
        // it is read from the real work tree, like the process environment.
        if let Some((path, span)) = pipeline.env_file.take() {
            pipeline.env_file = Some((state_root.join(path), span));
        }
        let git = GitInfo::at_commit(&globals.cwd, &snapshot.commit);
        let files = FileIndex::for_snapshot(
            &pipeline.root,
            &snapshot.workdir,
            &snapshot.commit,
            &snapshot.dir,
            snapshot.checked_out_at,
        );
        let files = Cache::prefetch(
            &pipeline,
            files.with_table(Cache::table_path(&state_root, true)),
        );
        Ok(Source {
            pipeline,
            state_root,
            git,
            snapshot: Some(snapshot),
            files,
        })
    }

    /// What run.json records about the snapshot.
    pub fn snapshot_info(&self) -> Option<SnapshotInfo> {
        self.snapshot.as_ref().map(|s| SnapshotInfo {
            commit: s.commit.clone(),
            dir: s.dir.clone(),
            kept: true,
            fresh: s.fresh,
        })
    }
}

/// Config errors point at the committed file, not at the temporary copy.
fn relabel(mut err: ConfigError, real: &std::path::Path, short: &str) -> ConfigError {
    let shown = PathBuf::from(format!("{}@{short}", real.display()));
    for d in &mut err.diagnostics {
        d.file = shown.clone();
    }
    err.file = shown.display().to_string();
    err
}
