//! Finding `gantry.yml`, parsing it with serde-saphyr, and checking what serde
//! cannot: unique names, something to run, known variables.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_saphyr::Spanned;

use super::model::{Action, ActionKind, Condition, EnvVar, Pipeline, Secret, Stage};
use super::raw::{EnvMap, RawAction, RawPipeline, RawStage};
use crate::diagnostics::ConfigError;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::{span, Span};
use crate::error::UsageError;
use crate::vars;

mod container;
mod image_deploy;
mod kinds;
mod matrix;
mod services;

/// File names gantry looks for, in order of preference.
pub const CONFIG_NAMES: &[&str] = &["gantry.yml", "gantry.yaml"];

const DEFAULT_KEEP_RUNS: u32 = 50;

/// The config to use: `explicit` if given (relative to `start`), else the
/// first `gantry.yml`/`gantry.yaml` in `start` or one of its parents.
pub fn find_config(start: &Path, explicit: Option<&Path>) -> Result<PathBuf, UsageError> {
    if let Some(file) = explicit {
        let path = start.join(file);
        return if is_config_candidate(&path) {
            Ok(path)
        } else {
            Err(UsageError(format!(
                "config file {} does not exist",
                path.display()
            )))
        };
    }
    for dir in start.ancestors() {
        for name in CONFIG_NAMES {
            let candidate = dir.join(name);
            if is_config_candidate(&candidate) {
                return Ok(candidate);
            }
        }
    }
    Err(UsageError(format!(
        "no gantry.yml in {} or any parent directory; `gantry init` writes one",
        start.display()
    )))
}

/// Whether `path` is there and not a directory: a FIFO or device named
/// `gantry.yml` is found, then refused by [`load`] saying what it is.
fn is_config_candidate(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_dir())
}

/// Reads and validates the config at `path`.
pub fn load(path: &Path) -> Result<Pipeline, ConfigError> {
    let fail = |diagnostics| ConfigError {
        file: path.display().to_string(),
        diagnostics,
    };
    let bytes = crate::fsutil::read(path).map_err(|e| {
        fail(vec![Diagnostic::error(
            "C000",
            path,
            0,
            0,
            format!("cannot read the config: {e}"),
        )])
    })?;
    let text = decode(path, &bytes).map_err(|d| fail(vec![d]))?;
    load_text(path, text).map_err(fail)
}

/// Decodes UTF-8 (a leading BOM is dropped), pointing at the first bad byte.
pub(super) fn decode<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = crate::diagnostics::utf8_error_position(bytes, e.valid_up_to());
        Diagnostic::error(
            "C011",
            path,
            line,
            column,
            "the config is not valid UTF-8".into(),
        )
        .with_hint("save the file as UTF-8")
    })
}

/// Parses and validates config text; `file` names it in diagnostics.
/// Included files are read from disk.
pub fn load_text(file: &Path, text: &str) -> Result<Pipeline, Vec<Diagnostic>> {
    load_text_with(file, text, &|path| {
        crate::fsutil::read(path).map_err(|e| e.to_string())
    })
}

/// [`load_text`], reading included files with `read` (from a commit, say).
pub fn load_text_with(
    file: &Path,
    text: &str,
    read: super::include::Read,
) -> Result<Pipeline, Vec<Diagnostic>> {
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(vec![Diagnostic::error(
            "C003",
            file,
            0,
            0,
            "the config is empty".into(),
        )
        .with_hint(
            "add `version: 1` and a `stages:` list, or run `gantry init`",
        )]);
    }
    match super::tolerant::read::<RawPipeline>(file, text, super::shape::pipeline_schema()) {
        Ok((raw, earlier)) => {
            let (pipeline, found) = checked(file, text, raw, read, earlier);
            if found.is_empty() {
                Ok(pipeline)
            } else {
                Err(by_position(file, found))
            }
        }
        Err(found) => Err(by_position(file, found)),
    }
}

/// The loader's checks on `raw` (read from `text`), with its included
/// files: the pipeline, and `earlier` findings followed by its own.
fn checked(
    file: &Path,
    text: &str,
    raw: RawPipeline,
    read: super::include::Read,
    earlier: Vec<Diagnostic>,
) -> (Pipeline, Vec<Diagnostic>) {
    let includes = super::include::resolve(file, raw.include.as_ref(), read);
    let mut checker = Checker::new(file, text, &includes.files);
    checker.diagnostics.extend(earlier);
    checker.diagnostics.extend(includes.diagnostics);
    let pipeline = checker.pipeline(raw, includes.stages, includes.incomplete);
    (pipeline, checker.diagnostics)
}

/// How gantry.yml is read: YAML 1.2 booleans only (`yes` is a string).
pub(super) fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! { strict_booleans: true }
}

/// `text` read as `T`, and whether serde skipped a key doing so.
pub(super) fn parse<'de, T: serde::Deserialize<'de>>(
    text: &'de str,
) -> Result<(T, bool), serde_saphyr::Error> {
    serde_saphyr::with_deserializer_from_str_with_options(text, yaml_options(), |de| {
        super::ignored::deserialize(de)
    })
}

/// Sorted so that the list reads like the files: the config's own findings
/// first, then each included file's, each file's by line and column.
fn by_position(main: &Path, mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let key = |d: &Diagnostic| (d.file != main, d.file.clone(), d.line, d.column);
    diagnostics.sort_by_cached_key(key);
    diagnostics
}

/// The help of a key written twice in one mapping.
const DUPLICATE_KEY_HINT: &str =
    "each key may appear once per mapping; remove or rename one of them";

pub(super) fn yaml_diagnostic(file: &Path, text: &str, err: &serde_saphyr::Error) -> Diagnostic {
    let diagnostic = Diagnostic::from_yaml_error("C001", file, err);
    if let Some(explained) = super::indentation::explain(&diagnostic, text) {
        return explained;
    }
    with_yaml_hint(diagnostic)
}

/// A YAML or serde error with help for what it says, where gantry has some.
pub(super) fn with_yaml_hint(diagnostic: Diagnostic) -> Diagnostic {
    // First: the key a duplicate names may spell any of the others.
    let hint = if diagnostic.message.contains("duplicate mapping key") {
        Some(DUPLICATE_KEY_HINT)
    } else if diagnostic.message.contains("tabs") {
        Some("indent with spaces; YAML does not allow tabs for indentation")
    } else if diagnostic.message.contains("invalid boolean") {
        Some("write `true` or `false`")
    } else if diagnostic
        .message
        .contains("mapping values are not allowed")
    {
        Some("a value that contains `: ` must be quoted, e.g. run: \"echo a: b\"")
    } else {
        None
    };
    match hint {
        Some(h) => diagnostic.with_hint(h),
        None => diagnostic,
    }
}

struct Checker<'a> {
    file: &'a Path,
    text: &'a str,
    diagnostics: Vec<Diagnostic>,
    /// The `matrix:` names of the action being checked, if it has `matrix:`.
    matrix_keys: Option<Vec<String>>,
    /// The files `include:` brought in, for their stages' findings.
    included: &'a [super::include::IncludedFile],
    /// The config itself (`file` is an included file's while its stages are checked).
    main: &'a Path,
    /// Top-level `defaults:`, checked.
    defaults: PipelineDefaults,
    /// `services:` of the pipeline and the stages checked so far.
    services: Vec<crate::config::service::Service>,
}

impl<'a> Checker<'a> {
    fn new(file: &'a Path, text: &'a str, included: &'a [super::include::IncludedFile]) -> Self {
        Checker {
            file,
            text,
            diagnostics: Vec::new(),
            included,
            main: file,
            defaults: PipelineDefaults::default(),
            matrix_keys: None,
            services: Vec::new(),
        }
    }

    fn error(&mut self, code: &str, span: Span, message: String, hint: &str) {
        let mut d = Diagnostic::error(code, self.file, span.line, span.column, message);
        if !hint.is_empty() {
            d = d.with_hint(hint);
        }
        self.diagnostics.push(d);
    }

    /// The pipeline `raw` with the `included` stages; `incomplete`: an
    /// included file could not be read, so its stages are missing.
    fn pipeline(
        &mut self,
        raw: RawPipeline,
        included: Vec<(usize, RawStage)>,
        incomplete: bool,
    ) -> Pipeline {
        if raw.version.value != 1 {
            self.error(
                "C002",
                span(&raw.version),
                format!("unsupported config version {}", raw.version.value),
                "this gantry reads `version: 1`",
            );
        }
        let root = self
            .file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let name = match &raw.name {
            Some(n) => {
                self.check_name("pipeline", n);
                n.value.clone()
            }
            None => root
                .canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "pipeline".into()),
        };
        let env = self.env(&raw.env);
        self.defaults = self.pipeline_defaults(raw.defaults.as_ref());
        self.defaults.container = self.top_container(&raw.container, raw.defaults.as_ref());
        let secrets = self.secrets(&raw.secrets);
        let env_file = raw
            .env_file
            .as_ref()
            .map(|f| (PathBuf::from(&f.value), span(f)));
        let shell = raw
            .shell
            .as_ref()
            .map_or("sh".to_string(), |s| s.value.clone());
        // An included file that could not be read has its own error.
        if raw.stages.value.is_empty() && included.is_empty() && !incomplete {
            self.error(
                "C003",
                span(&raw.stages),
                "the pipeline has no stages".into(),
                "add at least one stage, e.g. `- { name: test, run: make test }`",
            );
        }
        self.services(&raw.services, None);
        let (deploy_groups, mut found) =
            crate::config::deploy::groups(self.file, self.text, &raw.deploy_groups);
        self.diagnostics.append(&mut found);
        let mut seen = HashMap::new();
        let mut stages = Vec::new();
        let (main_file, main_text) = (self.file, self.text);
        let own = raw.stages.value.into_iter().map(|s| (None, s));
        for (from, raw_stage) in own.chain(included.into_iter().map(|(i, s)| (Some(i), s))) {
            if let Some(file) = from.and_then(|i| self.included.get(i)) {
                (self.file, self.text) = (&file.file, &file.text);
            }
            self.unique_stage(&mut seen, &raw_stage.name);
            stages.push(self.stage(raw_stage, &shell));
            (self.file, self.text) = (main_file, main_text);
        }
        self.no_services_stage(&stages);
        let mut found = crate::config::deploy::resolve_groups(&deploy_groups, &mut stages);
        self.diagnostics.append(&mut found);
        let mut pipeline = Pipeline {
            file: self.file.to_path_buf(),
            state_root: root.clone(),
            root,
            name,
            env,
            defaults_env: self.defaults.env.clone(),
            defaults_working_directory: self.defaults.working_directory.clone(),
            defaults_container: self.defaults.container.clone(),
            env_file,
            secrets,
            keep_runs: raw.keep_runs.map_or(DEFAULT_KEEP_RUNS, |k| k.value),
            cache: raw.cache,
            stages,
            deploy_groups,
            included: self.included.iter().map(|f| f.file.clone()).collect(),
            services: std::mem::take(&mut self.services),
        };
        insert_group_gates(&mut pipeline);
        self.diagnostics
            .extend(super::refs::check_output_references(
                &pipeline,
                self.text,
                self.included,
            ));
        pipeline
    }

    /// Stage names are unique across the config and its included files; a
    /// clash between two files names both.
    fn unique_stage(
        &mut self,
        seen: &mut HashMap<String, (PathBuf, Span)>,
        name: &Spanned<String>,
    ) {
        let here = span(name);
        let Some((file, first)) = seen.get(&name.value).cloned() else {
            seen.insert(name.value.clone(), (self.file.to_path_buf(), here));
            return;
        };
        let message = if file == self.file {
            format!("duplicate stage name `{}`", name.value)
        } else {
            let dir = self.main.parent().unwrap_or(Path::new(""));
            format!(
                "duplicate stage name `{}`: {}:{}:{} has one too",
                name.value,
                file.strip_prefix(dir).unwrap_or(&file).display(),
                first.line,
                first.column
            )
        };
        self.error(
            "C004",
            here,
            message,
            "stage names must be unique, also across included files",
        );
    }

    /// Top-level `defaults:`, checked like the same keys on an action.
    fn pipeline_defaults(
        &mut self,
        raw: Option<&super::defaults::RawDefaults>,
    ) -> PipelineDefaults {
        let Some(raw) = raw else {
            return PipelineDefaults::default();
        };
        let working_directory = raw
            .working_directory
            .as_ref()
            .map(|w| (w.value.clone(), span(w)));
        if let Some((dir, at)) = &working_directory {
            self.check_vars(dir, *at);
        }
        PipelineDefaults {
            timeout: self.timeout(&raw.timeout),
            retries: raw.retries,
            env: self.env(&raw.env),
            working_directory,
            container: None,
        }
    }

    fn check_name(&mut self, what: &str, name: &Spanned<String>) {
        let n = &name.value;
        if !super::valid_name(n) {
            self.error(
                "C006",
                span(name),
                format!("invalid {what} name `{n}`"),
                "use letters, digits, `.`, `_` and `-` (names become directory and file names)",
            );
        }
    }

    /// A `timeout:`, refused above [`super::duration::MAX`].
    fn timeout(
        &mut self,
        raw: &Option<Spanned<super::duration::Duration>>,
    ) -> Option<std::time::Duration> {
        let t = raw.as_ref()?;
        match super::duration::within_max(t.value.0) {
            Ok(d) => Some(d),
            Err(why) => {
                self.error(
                    "C015",
                    span(t),
                    format!("`timeout:` {why}"),
                    "write a shorter timeout such as 30m or 2h, or leave `timeout:` out for none",
                );
                None
            }
        }
    }

    fn env(&mut self, map: &EnvMap) -> Vec<EnvVar> {
        let mut vars = Vec::new();
        for (key, value) in &map.0 {
            let k = &key.value;
            if !crate::vars::is_shell_name(k) {
                self.error(
                    "C009",
                    span(key),
                    format!("invalid environment variable name `{k}`"),
                    "use letters, digits and `_`, not starting with a digit",
                );
            }
            self.check_vars(&value.value.0, span(value));
            vars.push(EnvVar {
                name: k.clone(),
                value: value.value.0.clone(),
                span: span(value),
            });
        }
        vars
    }

    fn secrets(&mut self, raw: &[Spanned<String>]) -> Vec<Secret> {
        let mut seen = HashSet::new();
        let mut secrets = Vec::new();
        for s in raw {
            if !seen.insert(s.value.clone()) {
                self.error(
                    "C009",
                    span(s),
                    format!("secret `{}` is listed twice", s.value),
                    "",
                );
            }
            secrets.push(Secret {
                name: s.value.clone(),
                span: span(s),
            });
        }
        secrets
    }

    fn check_vars(&mut self, text: &str, at: Span) {
        self.check_matrix_vars(text, at);
        if let Err(name) = vars::check(text) {
            let known = format!(
                "known variables: {}, env.NAME, actions.STAGE.ACTION.outputs.NAME (write `$${{` for a literal `${{`)",
                vars::KNOWN.join(", ")
            );
            let typed = |close: &str| format!("${{{close}}}");
            let hint = crate::suggest::hint(&name, vars::KNOWN, typed, known);
            let at = at.narrowed_to(self.text, &format!("${{{name}}}"));
            self.error("C010", at, format!("unknown variable `${{{name}}}`"), &hint);
        }
    }

    fn stage(&mut self, raw: RawStage, pipeline_shell: &str) -> Stage {
        self.check_name("stage", &raw.name);
        if crate::record::RESERVED_NAMES.contains(&raw.name.value.as_str()) {
            self.error(
                "C006",
                span(&raw.name),
                format!(
                    "stage name `{}` is reserved: gantry writes its run record under that name",
                    raw.name.value
                ),
                "rename the stage (each stage's logs go to a directory named after it)",
            );
        }
        self.services(&raw.services, Some(&raw.name.value));
        let own_env = self.env(&raw.env);
        let mut stage_env = self.defaults.env.clone();
        stage_env.extend(own_env.iter().cloned());
        let defaults = ActionDefaults {
            timeout: self.timeout(&raw.timeout).or(self.defaults.timeout),
            continue_on_error: raw.continue_on_error.unwrap_or(false),
            always: raw.always.unwrap_or(false),
            condition: self.condition(&raw.condition),
            working_directory: raw
                .working_directory
                .as_ref()
                .map(|w| (w.value.clone(), span(w)))
                .or_else(|| self.defaults.working_directory.clone()),
            retries: raw.retries.or(self.defaults.retries).unwrap_or(0),
            shell: raw
                .shell
                .as_ref()
                .map_or(pipeline_shell.to_string(), |s| s.value.clone()),
            env: stage_env,
            inputs: self.globs(&raw.inputs),
            outputs: self.globs(&raw.outputs),
            cache: raw.cache,
            tools: self.tools(&raw.tools),
            // A stage without `actions:` is its one action: its `container:` is the action's own.
            container: match raw.actions {
                Some(_) => self.container(&raw.container),
                None => None,
            }
            .or_else(|| self.defaults.container.clone()),
        };
        let stage_span = span(&raw.name);
        let actions = match raw.actions {
            Some(list) => {
                self.stage_with_actions_has_no_command(&raw.run, &raw.script, &raw.run_order);
                self.no_image_next_to_actions(raw.image.as_ref());
                self.stage_with_actions_has_no_gate(&raw.approval, &raw.uses, &raw.with);
                if let Some(m) = &raw.matrix {
                    let hint = "put `matrix:` on the action to run once per cell";
                    self.error("C007", span(m), "`matrix:` next to `actions:`".into(), hint);
                }
                if let Some(d) = &raw.deploy {
                    let hint = "a stage has either `actions:` or the keys of a single action";
                    self.error("C007", span(d), "`deploy:` next to `actions:`".into(), hint);
                }
                if list.value.is_empty() {
                    self.error(
                        "C003",
                        span(&list),
                        format!("stage `{}` has an empty `actions:` list", raw.name.value),
                        "add an action, or remove the stage",
                    );
                }
                self.actions(list.value, &defaults)
            }
            None => {
                let single = RawAction {
                    name: raw.name.clone(),
                    run: raw.run,
                    script: raw.script,
                    image: raw.image,
                    deploy: raw.deploy,
                    env: EnvMap::default(),
                    timeout: None,
                    run_order: raw.run_order,
                    continue_on_error: None,
                    always: None,
                    condition: None,
                    working_directory: None,
                    retries: None,
                    shell: None,
                    inputs: None,
                    outputs: None,
                    cache: None,
                    tools: None,
                    approval: raw.approval,
                    uses: raw.uses,
                    with: raw.with,
                    matrix: raw.matrix,
                    max_parallel: raw.max_parallel,
                    fail_fast: raw.fail_fast,
                    container: raw.container,
                };
                self.action_or_cells(single, &defaults)
            }
        };
        Stage {
            name: raw.name.value,
            span: stage_span,
            file: self.file.to_path_buf(),
            actions,
            env: own_env,
        }
    }

    fn stage_with_actions_has_no_command(
        &mut self,
        run: &Option<Spanned<String>>,
        script: &Option<Spanned<Vec<Spanned<String>>>>,
        run_order: &Option<Spanned<u32>>,
    ) {
        let hint = "a stage has either `actions:` or the `run:`/`script:` of a single action";
        if let Some(r) = run {
            self.error("C007", span(r), "`run:` next to `actions:`".into(), hint);
        }
        if let Some(s) = script {
            self.error("C007", span(s), "`script:` next to `actions:`".into(), hint);
        }
        if let Some(o) = run_order {
            self.error(
                "C008",
                span(o),
                "`run_order:` belongs on an action, not on a stage with `actions:`".into(),
                "move it to the actions that should run together",
            );
        }
    }

    fn actions(&mut self, raw: Vec<RawAction>, defaults: &ActionDefaults) -> Vec<Action> {
        let mut seen = HashSet::new();
        let mut actions = Vec::new();
        for a in raw {
            if !seen.insert(a.name.value.clone()) {
                self.error(
                    "C005",
                    span(&a.name),
                    format!("duplicate action name `{}` in this stage", a.name.value),
                    "action names must be unique within a stage",
                );
            }
            actions.extend(self.action_or_cells(a, defaults));
        }
        actions
    }

    fn action(&mut self, raw: RawAction, defaults: &ActionDefaults) -> Action {
        self.check_name("action", &raw.name);
        let kind = self.kind(&raw);
        let container = self.action_container(&raw, &kind, defaults);
        let mut env = defaults.env.clone();
        env.extend(self.env(&raw.env));
        let working_directory = raw
            .working_directory
            .as_ref()
            .map(|w| (w.value.clone(), span(w)))
            .or_else(|| defaults.working_directory.clone());
        if let Some((dir, at)) = &working_directory {
            self.check_vars(dir, *at);
        }
        Action {
            name: raw.name.value.clone(),
            span: span(&raw.name),
            kind,
            env,
            timeout: self.timeout(&raw.timeout).or(defaults.timeout),
            run_order: raw.run_order.map(|o| o.value),
            continue_on_error: raw.continue_on_error.unwrap_or(defaults.continue_on_error),
            always: raw.always.unwrap_or(defaults.always),
            condition: both(defaults.condition.clone(), self.condition(&raw.condition)),
            working_directory,
            retries: raw.retries.unwrap_or(defaults.retries),
            shell: raw
                .shell
                .map_or_else(|| defaults.shell.clone(), |s| s.value),
            inputs: match &raw.inputs {
                Some(_) => self.globs(&raw.inputs),
                None => defaults.inputs.clone(),
            },
            outputs: match &raw.outputs {
                Some(_) => self.globs(&raw.outputs),
                None => defaults.outputs.clone(),
            },
            cache: raw.cache.or(defaults.cache),
            tools: match &raw.tools {
                Some(_) => self.tools(&raw.tools),
                None => defaults.tools.clone(),
            },
            matrix: None,
            container,
        }
    }

    /// A parsed `if:`; a bad expression is an error pointing into it.
    fn condition(&mut self, raw: &Option<Spanned<String>>) -> Option<Condition> {
        let raw = raw.as_ref()?;
        let text = &raw.value;
        let known = |name: &str| vars::KNOWN.contains(&name) || vars::is_env_name(name);
        match super::condition::parse(text, &known) {
            Ok(expr) => Some(Condition {
                expr,
                span: span(raw),
                preview: None,
            }),
            Err(e) => {
                let start = span(raw).narrowed_to(self.text, text);
                let at = if start == span(raw) && !self.text_at(start).starts_with(text.as_str()) {
                    start
                } else {
                    let before = &text[..e.offset];
                    match before.rfind('\n') {
                        Some(nl) => Span {
                            line: start.line + before.matches('\n').count(),
                            column: before[nl + 1..].chars().count() + 1,
                        },
                        None => Span {
                            line: start.line,
                            column: start.column + before.chars().count(),
                        },
                    }
                };
                let hint = match e.message.strip_prefix("unknown variable `") {
                    Some(name) => {
                        let name = name.trim_end_matches('`');
                        let lead = crate::suggest::lead(name, vars::KNOWN);
                        format!("{lead}{}", super::condition::HINT)
                    }
                    None => super::condition::HINT.to_string(),
                };
                self.error("C016", at, format!("invalid `if:`: {}", e.message), &hint);
                None
            }
        }
    }

    /// The config text from `at` to the end of its line.
    fn text_at(&self, at: Span) -> &str {
        let line = self
            .text
            .split('\n')
            .nth(at.line.saturating_sub(1))
            .unwrap_or("");
        let start = line
            .char_indices()
            .nth(at.column.saturating_sub(1))
            .map_or(line.len(), |(i, _)| i);
        &line[start..]
    }

    /// `tools:` entries: program names or paths, never empty.
    fn tools(&mut self, raw: &Option<Spanned<Vec<Spanned<String>>>>) -> Vec<String> {
        let Some(list) = raw else { return Vec::new() };
        let mut tools = Vec::new();
        for tool in &list.value {
            let t = tool.value.trim();
            if t.is_empty() {
                self.error(
                    "C014",
                    span(tool),
                    "empty `tools:` entry".into(),
                    "name a program on PATH (e.g. rustc) or give its path",
                );
            } else {
                tools.push(t.to_string());
            }
        }
        tools
    }

    /// Checks `inputs:`/`outputs:` patterns: relative, inside the root, valid globs.
    fn globs(&mut self, raw: &Option<Spanned<Vec<Spanned<String>>>>) -> Vec<String> {
        let Some(list) = raw else { return Vec::new() };
        let mut patterns = Vec::new();
        for pattern in &list.value {
            let written = pattern.value.trim();
            if written == super::DEFAULT_INPUTS {
                patterns.push(written.to_string());
                continue;
            }
            let p = written.strip_prefix('!').unwrap_or(written);
            let outside = p.starts_with('/') || p.split('/').any(|part| part == "..");
            if p.is_empty() || outside {
                self.error(
                    "C014",
                    span(pattern),
                    format!("`{p}` is not a path inside the pipeline root"),
                    "write a relative path or glob, e.g. src/** or Cargo.toml",
                );
            } else if let Err(e) = globset::Glob::new(p) {
                self.error(
                    "C014",
                    span(pattern),
                    format!("invalid glob `{p}`: {}", e.kind()),
                    "`*` matches within a directory, `**` across directories, `{a,b}` either",
                );
            } else {
                patterns.push(written.to_string());
            }
        }
        patterns
    }

    fn kind(&mut self, raw: &RawAction) -> ActionKind {
        if let Some(image) = &raw.image {
            return self.image_kind(raw, image);
        }
        if let Some(deploy) = &raw.deploy {
            return self.deploy_kind(raw, deploy);
        }
        if let Some(kind) = self.gate_or_custom_kind(raw) {
            return kind;
        }
        match (&raw.run, &raw.script) {
            (Some(run), None) => {
                self.check_vars(&run.value, span(run));
                ActionKind::Run {
                    command: run.value.clone(),
                    span: span(run),
                }
            }
            (None, Some(script)) => {
                if script.value.is_empty() {
                    self.error(
                        "C007",
                        span(script),
                        "`script:` is empty".into(),
                        "list at least one command",
                    );
                }
                let lines = script
                    .value
                    .iter()
                    .map(|l| {
                        self.check_vars(&l.value, span(l));
                        (l.value.clone(), span(l))
                    })
                    .collect();
                ActionKind::Script { lines }
            }
            (Some(run), Some(_)) => {
                self.error(
                    "C007",
                    span(run),
                    format!("action `{}` has both `run:` and `script:`", raw.name.value),
                    "keep one: `run:` for one command, `script:` for a list",
                );
                ActionKind::Script { lines: Vec::new() }
            }
            (None, None) => {
                self.error(
                    "C007",
                    span(&raw.name),
                    format!("action `{}` has nothing to run", raw.name.value),
                    "add `run: COMMAND`, a `script:` list, an `image:` mapping, `approval: MESSAGE` or `uses: NAME` (or `actions:` on a stage)",
                );
                ActionKind::Script { lines: Vec::new() }
            }
        }
    }
}

/// Puts an approval gate (`approve-ACTION`) in front of every `deploy:`
/// action whose group has `approval: true`.
pub fn insert_group_gates(pipeline: &mut Pipeline) {
    let gated: Vec<String> = pipeline
        .deploy_groups
        .iter()
        .filter(|g| g.approval)
        .map(|g| g.name.clone())
        .collect();
    if gated.is_empty() {
        return;
    }
    super::gates::insert_gates(pipeline, &|action| match &action.kind {
        ActionKind::Deploy(deploy) if gated.contains(&deploy.group) => {
            Some(format!("Deploy to {}?", deploy.group))
        }
        _ => None,
    });
}

/// Top-level `defaults:` once checked; stages start from these.
#[derive(Default)]
struct PipelineDefaults {
    timeout: Option<std::time::Duration>,
    retries: Option<u32>,
    env: Vec<EnvVar>,
    working_directory: Option<(String, Span)>,
    container: Option<crate::config::container::ContainerSpec>,
}

/// Stage-level settings its actions inherit.
struct ActionDefaults {
    timeout: Option<std::time::Duration>,
    continue_on_error: bool,
    always: bool,
    condition: Option<Condition>,
    working_directory: Option<(String, Span)>,
    retries: u32,
    shell: String,
    env: Vec<EnvVar>,
    inputs: Vec<String>,
    outputs: Vec<String>,
    cache: Option<bool>,
    tools: Vec<String>,
    container: Option<crate::config::container::ContainerSpec>,
}

/// A stage's and an action's `if:` together: both must hold.
fn both(stage: Option<Condition>, action: Option<Condition>) -> Option<Condition> {
    use super::condition::Expr;
    match (stage, action) {
        (Some(s), Some(a)) => Some(Condition {
            expr: Expr::And(
                Box::new(Expr::Group(Box::new(s.expr))),
                Box::new(Expr::Group(Box::new(a.expr))),
            ),
            span: a.span,
            preview: None,
        }),
        (s, a) => a.or(s),
    }
}
