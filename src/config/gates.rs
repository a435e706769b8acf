//! Gates implied by the config rather than written as actions: a deployment
//! group with `approval: true` puts an approval gate before every action
//! that deploys to it.

use crate::config::{Action, ActionKind, Pipeline};

/// An approval action that runs just before `target`: named
/// `approve-ACTION` (made unique among `taken`), same `run_order` slot.
/// [`insert_gates`] renumbers `run_order`s so the slot is free.
pub fn implied_gate(target: &Action, message: String, taken: &[&str]) -> Action {
    let mut name = format!("approve-{}", target.name);
    let mut n = 1;
    while taken.contains(&name.as_str()) {
        n += 1;
        name = format!("approve-{}-{n}", target.name);
    }
    Action {
        name,
        span: target.span,
        kind: ActionKind::Approval {
            message,
            span: target.span,
        },
        env: Vec::new(),
        timeout: None,
        run_order: target.run_order.map(|o| o.saturating_sub(1)),
        continue_on_error: false,
        always: false,
        condition: target.condition.clone(),
        working_directory: None,
        retries: 0,
        shell: target.shell.clone(),
        inputs: Vec::new(),
        outputs: Vec::new(),
        cache: None,
        tools: Vec::new(),
        matrix: None,
        container: None,
    }
}

/// Inserts a gate before every action for which `gate_for` returns the
/// question to ask. In a stage that uses `run_order`, every order is doubled
/// first and the gate takes the odd slot just below its action, so it runs
/// after everything that ran before the action and before the action itself.
pub fn insert_gates(pipeline: &mut Pipeline, gate_for: &dyn Fn(&Action) -> Option<String>) {
    for stage in &mut pipeline.stages {
        let gated: Vec<(usize, String)> = stage
            .actions
            .iter()
            .enumerate()
            .filter_map(|(i, a)| gate_for(a).map(|m| (i, m)))
            .collect();
        if gated.is_empty() {
            continue;
        }
        if stage.actions.iter().any(|a| a.run_order.is_some()) {
            for action in &mut stage.actions {
                action.run_order = Some(action.run_order.unwrap_or(1).saturating_mul(2));
            }
        }
        for (i, message) in gated.into_iter().rev() {
            let taken: Vec<&str> = stage.actions.iter().map(|a| a.name.as_str()).collect();
            let gate = implied_gate(&stage.actions[i], message, &taken);
            stage.actions.insert(i, gate);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn pipeline(text: &str) -> Pipeline {
        crate::config::load_text(Path::new("gantry.yml"), text).expect("valid config")
    }

    fn names_and_orders(p: &Pipeline) -> Vec<(String, Option<u32>)> {
        p.stages[0]
            .actions
            .iter()
            .map(|a| (a.name.clone(), a.run_order))
            .collect()
    }

    #[test]
    fn a_gate_goes_just_before_its_action_in_listed_order() {
        let mut p = pipeline(
            "version: 1\nstages:\n  - name: s\n    actions:\n      - { name: a, run: x }\n      - { name: prod, run: y }\n",
        );
        insert_gates(&mut p, &|a| (a.name == "prod").then(|| "Ship?".to_string()));
        let names: Vec<_> = names_and_orders(&p).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["a", "approve-prod", "prod"]);
        assert!(matches!(
            &p.stages[0].actions[1].kind,
            ActionKind::Approval { message, .. } if message == "Ship?"
        ));
    }

    #[test]
    fn with_run_order_the_gate_takes_the_slot_below() {
        let mut p = pipeline(
            "version: 1\nstages:\n  - name: s\n    actions:\n      - { name: a, run: x, run_order: 1 }\n      - { name: prod, run: y, run_order: 2 }\n      - { name: approve-prod, run: z, run_order: 2 }\n",
        );
        insert_gates(&mut p, &|a| (a.name == "prod").then(|| "Ship?".to_string()));
        assert_eq!(
            names_and_orders(&p),
            [
                ("a".to_string(), Some(2)),
                ("approve-prod-2".to_string(), Some(3)),
                ("prod".to_string(), Some(4)),
                ("approve-prod".to_string(), Some(4)),
            ]
        );
    }
}
