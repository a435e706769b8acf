//! AWS CodePipeline: the input of `aws codepipeline create-pipeline
//! --cli-input-json`. A Source stage (a CodeStar connection placeholder),
//! then one stage per gantry stage with one action per gantry action:
//! CodeBuild for commands (`runOrder` from the `run_order` groups), Manual
//! approval for gates. ARNs, bucket and project names are placeholders.
//! A `matrix:` action is one action per cell in the same `runOrder` (so
//! they run in parallel), named from the cell (`test-python-3.12`), with
//! the cell's values as environment variables.

use serde_json::{json, Value};

use super::{Job, Model, Work};

/// The `create-pipeline` input JSON.
pub fn render(model: &Model<'_>) -> String {
    let mut stages = vec![source_stage()];
    let mut current: Option<(&str, Vec<Value>)> = None;
    for job in &model.jobs {
        if current
            .as_ref()
            .is_none_or(|(stage, _)| *stage != job.stage)
        {
            if let Some((name, actions)) = current.take() {
                stages.push(json!({ "name": name, "actions": actions }));
            }
            current = Some((job.stage, Vec::new()));
        }
        if let Some((_, actions)) = current.as_mut() {
            actions.push(action(model, job));
        }
    }
    if let Some((name, actions)) = current {
        stages.push(json!({ "name": name, "actions": actions }));
    }
    let doc = json!({
        "pipeline": {
            "name": model.name,
            "roleArn": "arn:aws:iam::111111111111:role/REPLACE-codepipeline-service-role",
            "artifactStore": { "type": "S3", "location": "REPLACE-artifact-bucket" },
            "pipelineType": "V2",
            "stages": stages,
        }
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

fn source_stage() -> Value {
    json!({
        "name": "Source",
        "actions": [{
            "name": "Source",
            "actionTypeId": {
                "category": "Source",
                "owner": "AWS",
                "provider": "CodeStarSourceConnection",
                "version": "1"
            },
            "configuration": {
                "ConnectionArn": "arn:aws:codeconnections:us-east-1:111111111111:connection/REPLACE",
                "FullRepositoryId": "REPLACE-owner/REPLACE-repository",
                "BranchName": "main",
                "OutputArtifactFormat": "CODE_ZIP"
            },
            "outputArtifacts": [{ "name": "SourceOutput" }],
            "namespace": "SourceVariables",
            "runOrder": 1
        }]
    })
}

/// One gantry action as a CodePipeline action.
fn action(model: &Model<'_>, job: &Job<'_>) -> Value {
    let run_order = job.group + 1;
    if let crate::config::ActionKind::Deploy(deploy) = &job.action.kind {
        return json!({
            "name": aws_name(&job.name),
            "actionTypeId": {
                "category": "Deploy",
                "owner": "AWS",
                "provider": "CodeDeploy",
                "version": "1"
            },
            "configuration": {
                "ApplicationName": model.name,
                "DeploymentGroupName": deploy.group,
            },
            "inputArtifacts": [{ "name": "SourceOutput" }],
            "runOrder": run_order
        });
    }
    match &job.work {
        Work::Approval(message) => json!({
            "name": aws_name(&job.name),
            "actionTypeId": {
                "category": "Approval",
                "owner": "AWS",
                "provider": "Manual",
                "version": "1"
            },
            "configuration": { "CustomData": message },
            "runOrder": run_order
        }),
        Work::Shell { .. } => json!({
            "name": aws_name(&job.name),
            "actionTypeId": {
                "category": "Build",
                "owner": "AWS",
                "provider": "CodeBuild",
                "version": "1"
            },
            "configuration": {
                "ProjectName": format!("{}-{}-{}", model.name, job.stage, aws_name(&job.name)),
                "EnvironmentVariables": environment(model, job),
            },
            "inputArtifacts": [{ "name": "SourceOutput" }],
            "runOrder": run_order
        }),
    }
}

/// CodeBuild's `EnvironmentVariables` (a JSON string): the action's literal
/// variables, gantry's own, and secrets as Secrets Manager references.
fn environment(model: &Model<'_>, job: &Job<'_>) -> String {
    let mut vars: Vec<Value> = model
        .gantry_env(
            "#{SourceVariables.CommitId}",
            "#{SourceVariables.BranchName}",
            "",
            "#{codepipeline.PipelineExecutionId}",
        )
        .into_iter()
        .chain([
            ("GANTRY_STAGE".to_string(), job.stage.to_string()),
            ("GANTRY_ACTION".into(), job.name.clone()),
        ])
        .chain(model.env.iter().cloned())
        .chain(job.env.iter().cloned())
        .chain(
            job.action
                .matrix
                .iter()
                .flat_map(|c| c.variables())
                .map(|(k, v)| (k.to_string(), v.to_string())),
        )
        .map(|(name, value)| json!({ "name": name, "value": value, "type": "PLAINTEXT" }))
        .collect();
    for secret in &model.secrets {
        vars.push(json!({
            "name": secret,
            "value": format!("gantry/{}:{secret}", model.name),
            "type": "SECRETS_MANAGER"
        }));
    }
    serde_json::to_string(&vars).unwrap_or_default()
}

/// `name` in the letters CodePipeline allows in an action name: a matrix
/// cell's `test (python=3.12)` becomes `test-python-3.12`.
fn aws_name(name: &str) -> String {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "._@-".contains(c);
    let mut out = String::new();
    for c in name.chars() {
        if allowed(c) {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}
