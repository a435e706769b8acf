//! `gantry run --choose`: a fuzzy picker of the pipeline's stages and
//! actions on the terminal. The choice becomes the run's selection, written
//! as on the command line (`STAGE` or `STAGE/ACTION`).

use console::Term;
use dialoguer::theme::ColorfulTheme;
use dialoguer::FuzzySelect;

use crate::cli::RunArgs;
use crate::cmd::Globals;
use crate::config::Pipeline;
use crate::error::UsageError;
use crate::term;

/// One line of the picker.
struct Choice {
    /// What is shown and searched.
    label: String,
    /// What is run: a selection argument, as `gantry run` takes it.
    selector: String,
}

/// `args` with the picked stage or action as its selection.
pub fn run_args(globals: &Globals, args: &RunArgs) -> anyhow::Result<RunArgs> {
    if !(term::stdin_is_tty() && term::stderr_is_tty()) {
        return Err(UsageError(
            "--choose needs a terminal to pick on; name what to run instead: \
             gantry run STAGE… (gantry list shows the stages)"
                .into(),
        )
        .into());
    }
    let pipeline = globals.load_pipeline()?;
    let choices = choices(&pipeline);
    let labels: Vec<&str> = choices.iter().map(|c| c.label.as_str()).collect();
    let picked = FuzzySelect::with_theme(&ColorfulTheme::default())
        .with_prompt("Run (type to filter, Enter to run, Esc to cancel)")
        .items(&labels)
        .default(0)
        .interact_on_opt(&Term::stderr())?;
    let Some(index) = picked else {
        return Err(UsageError("nothing chosen: nothing was run".into()).into());
    };
    Ok(RunArgs {
        // The seam with `gantry run STAGE/ACTION`: the choice is handed on
        // exactly as a positional selection argument would be.
        stages: vec![choices[index].selector.clone()],
        choose: false,
        ..args.clone()
    })
}

/// Every stage, each followed by its actions, in pipeline order.
fn choices(pipeline: &Pipeline) -> Vec<Choice> {
    let mut choices = Vec::new();
    for stage in &pipeline.stages {
        choices.push(Choice {
            label: format!("{}  (stage, {} action(s))", stage.name, stage.actions.len()),
            selector: stage.name.clone(),
        });
        for action in &stage.actions {
            let selector = format!("{}/{}", stage.name, action.name);
            choices.push(Choice {
                label: selector.clone(),
                selector,
            });
        }
    }
    choices
}
