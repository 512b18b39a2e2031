//! Plan finalization (not a rule, so it never shows in the rules list):
//! every DistributeNode gets a calculation that turns its rows into what
//! the shard lookup needs — a document with a `_key` (created on the
//! Coordinator for INSERT/UPSERT) — unless the rows already are documents
//! of a collection scan. The calculation is inserted directly above the
//! DistributeNode, and both it and the modification read its result:
//!
//! ```text
//! LET #4 = MAKE_DISTRIBUTE_INPUT_WITH_KEY_CREATION(doc, null, { … })
//! DISTRIBUTE #4 → REMOTE → INSERT #4 IN c
//! ```
//!
//! Because this runs after all rules, these nodes and variables carry the
//! highest numbers of the plan. Versions before the calculation existed
//! (`Version::distribute_input_is_calculated`) distribute the raw input.

use crate::catalog::Catalog;
use crate::compat::Version;
use crate::plan::expr::ObjectMember;
use crate::plan::{Expr, ModificationKind, NodeKind, NodeRef, Plan, VarId};
use crate::value::Value;

/// Adds the input calculations of all DistributeNodes (pre-order).
pub fn add_distribute_inputs(plan: &mut Plan, catalog: &Catalog, compat: Version) {
    if !compat.distribute_input_is_calculated() {
        return;
    }
    let distributes = plan.find(|k| matches!(k, NodeKind::Distribute { .. }));
    for d in distributes {
        let Some(work) = input_work(plan, d, catalog, compat) else {
            // ArangoDB leaves the whole step here, not just this node.
            return;
        };
        let var = plan.vars.create_temporary(compat);
        let calc = plan.create(NodeKind::Calculation {
            out: var,
            expr: work.expr,
        });
        plan.insert_above(d, calc);
        if let NodeKind::Distribute { input, .. } = plan.kind_mut(d) {
            *input = var;
        }
        if let Some(target) = work.target {
            retarget_input(plan, target, work.slot, var);
        }
    }
}

/// Which input of the modification the new variable replaces.
#[derive(Clone, Copy)]
enum Slot {
    Input,
    Key,
    /// UPSERT: its insert document.
    Insert,
}

struct InputWork {
    expr: Expr,
    target: Option<NodeRef>,
    slot: Slot,
}

/// The calculation a DistributeNode needs, or None when its input is
/// already a collection document (and no keys must be created).
fn input_work(plan: &Plan, d: NodeRef, catalog: &Catalog, compat: Version) -> Option<InputWork> {
    let NodeKind::Distribute { target, .. } = plan.kind(d) else {
        return None;
    };
    let target_node = plan.nodes().find(|&n| plan.id(n) == *target)?;
    let NodeKind::Modification(m) = plan.kind(target_node) else {
        return None;
    };
    let ignore_errors = option_flag(&m.options, "ignoreErrors");
    let (input, alternative, slot, create_keys, key_conversion, specified_keys, ignore) =
        match m.kind {
            ModificationKind::Insert => (m.input, None, Slot::Input, true, true, false, false),
            ModificationKind::Remove => (
                m.input,
                None,
                Slot::Input,
                false,
                true,
                false,
                ignore_errors,
            ),
            ModificationKind::Update | ModificationKind::Replace => match m.key {
                Some(k) => (k, None, Slot::Key, false, true, false, ignore_errors),
                None => (
                    m.input,
                    None,
                    Slot::Input,
                    false,
                    false,
                    false,
                    ignore_errors,
                ),
            },
            ModificationKind::Upsert => (
                m.input,
                m.insert,
                Slot::Insert,
                true,
                true,
                true,
                ignore_errors,
            ),
        };
    let collection = catalog.collection(&m.collection);
    let default_sharding = collection.is_some_and(|c| c.has_default_sharding() && !c.is_smart);
    let from_scan = plan.setter(input).is_none_or(|s| {
        matches!(
            plan.kind(s),
            NodeKind::EnumerateCollection(_) | NodeKind::Index(_)
        )
    });
    if from_scan && (!create_keys || default_sharding) {
        return None;
    }
    let flag =
        |name: &str, on: bool| ObjectMember::Element(name.into(), Expr::Value(Value::Bool(on)));
    let (function, args) = if create_keys {
        let mut flags = vec![
            flag("allowSpecifiedKeys", specified_keys),
            flag("ignoreErrors", ignore),
        ];
        if compat.distribute_input_has_project_only_id() {
            flags.push(flag("projectOnlyId", false));
        }
        flags.push(ObjectMember::Element(
            "collection".into(),
            Expr::Value(Value::String(m.collection.clone())),
        ));
        let alternative = alternative.map_or(Expr::Value(Value::Null), Expr::Reference);
        (
            "MAKE_DISTRIBUTE_INPUT_WITH_KEY_CREATION",
            vec![Expr::Reference(input), alternative, Expr::Object(flags)],
        )
    } else {
        let flags = vec![
            flag("allowKeyConversionToObject", key_conversion),
            flag("ignoreErrors", ignore),
            flag("canUseCustomKey", default_sharding || specified_keys),
        ];
        (
            "MAKE_DISTRIBUTE_INPUT",
            vec![Expr::Reference(input), Expr::Object(flags)],
        )
    };
    let function = crate::functions::lookup(function)?;
    Some(InputWork {
        expr: Expr::Call {
            function,
            args,
            span: Default::default(),
        },
        target: Some(target_node),
        slot,
    })
}

fn option_flag(options: &Value, name: &str) -> bool {
    matches!(options, Value::Object(members)
        if members.iter().any(|(k, v)| k == name && matches!(v, Value::Bool(true))))
}

fn retarget_input(plan: &mut Plan, target: NodeRef, slot: Slot, var: VarId) {
    if let NodeKind::Modification(m) = plan.kind_mut(target) {
        match slot {
            Slot::Input => m.input = var,
            Slot::Key => m.key = Some(var),
            Slot::Insert => m.insert = Some(var),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::plan::NodeKind;

    fn finalized(query: &str) -> TestPlan {
        let mut t = TestPlan::cluster(query);
        t.run_all(&["distribute-in-cluster"]);
        super::add_distribute_inputs(&mut t.plan, &t.catalog, t.compat);
        t
    }

    fn calculation_above_distribute(t: &TestPlan) -> Option<String> {
        let order = kinds(&t.plan);
        let at = order
            .iter()
            .position(|k| matches!(k, NodeKind::Distribute { .. }))?;
        match order.get(at.checked_sub(1)?)? {
            NodeKind::Calculation { expr, .. } => Some(format!("{expr:?}")),
            _ => None,
        }
    }

    #[test]
    fn inserted_documents_get_keys_created() {
        let t = finalized("FOR i IN 1..3 INSERT { i } INTO c");
        let calc = calculation_above_distribute(&t).expect("an input calculation");
        assert!(calc.contains("MAKE_DISTRIBUTE_INPUT_WITH_KEY_CREATION"));
        // The insert now reads the calculation's result.
        let insert_input = kinds(&t.plan).into_iter().find_map(|k| match k {
            NodeKind::Modification(m) => Some(m.input),
            _ => None,
        });
        let distribute_input = kinds(&t.plan).into_iter().find_map(|k| match k {
            NodeKind::Distribute { input, .. } => Some(*input),
            _ => None,
        });
        assert_eq!(insert_input, distribute_input);
    }

    #[test]
    fn scanned_documents_need_no_calculation() {
        let t = finalized("FOR d IN c REPLACE d WITH { a: 1 } IN c");
        let above = calculation_above_distribute(&t).unwrap_or_default();
        assert!(!above.contains("MAKE_DISTRIBUTE"), "{above}");
    }

    #[test]
    fn a_computed_key_is_converted() {
        let t = finalized("FOR i IN 1..3 REMOVE CONCAT('k', i) IN c");
        let calc = calculation_above_distribute(&t).expect("an input calculation");
        assert!(calc.contains("MAKE_DISTRIBUTE_INPUT\""), "{calc}");
    }
}
