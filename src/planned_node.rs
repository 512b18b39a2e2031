//! The embedding view of a planned query: its nodes as plain values and
//! the renderers as methods, so a program need not walk the plan graph.

use crate::cluster::Site;
use crate::planner::Explanation;

/// One execution node of the chosen plan, as the explain table shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedNode {
    /// ArangoDB's node id.
    pub id: u32,
    /// ArangoDB's node type name, e.g. `EnumerateCollectionNode`.
    pub node_type: &'static str,
    /// Ids of the nodes this one pulls rows from (none for a Singleton).
    pub dependencies: Vec<u32>,
    /// Where the node runs; `None` on a single server.
    pub site: Option<Site>,
    /// The `Est.` column: estimated rows this node produces.
    pub estimated_items: u64,
    /// Cumulative estimated cost up to and including this node.
    pub estimated_cost: f64,
    /// The explain table's Comment column.
    pub comment: String,
    /// For the body of an unspliced subquery: its SubqueryNode's id.
    pub subquery_of: Option<u32>,
}

impl Explanation<'_> {
    /// The chosen plan's nodes in the explain table's order.
    ///
    /// ```
    /// use aqlplan::{Catalog, Options, Site};
    ///
    /// let catalog = Catalog::from_json_text(r#"{"collections": [
    ///     {"name": "example", "numberOfShards": 5, "count": 10000}]}"#).unwrap();
    /// let x = aqlplan::explain(&catalog, "FOR doc IN example RETURN doc",
    ///                          &Options::default()).unwrap();
    /// let scan = x.nodes().into_iter().find(|n| n.node_type == "EnumerateCollectionNode").unwrap();
    /// assert_eq!(scan.site, Some(Site::DbServer));
    /// assert_eq!(scan.estimated_items, 10000);
    /// ```
    pub fn nodes(&self) -> Vec<PlannedNode> {
        let plan = &self.plan;
        crate::explain::text::comments(self, plan)
            .into_iter()
            .map(|(n, comment)| {
                let estimate = self.estimates.of(n);
                let bottom = plan.pipeline_bottom(n);
                PlannedNode {
                    id: plan.id(n),
                    node_type: plan.kind(n).type_name(),
                    dependencies: plan.dependency(n).map(|d| plan.id(d)).into_iter().collect(),
                    site: self.site(n),
                    estimated_items: estimate.items,
                    estimated_cost: estimate.cost,
                    comment,
                    subquery_of: (bottom != plan.root())
                        .then(|| plan.subquery_node_of(bottom))
                        .flatten()
                        .map(|s| plan.id(s)),
                }
            })
            .collect()
    }

    /// The optimizer rules that changed the chosen plan, in order.
    pub fn rules(&self) -> &[&'static str] {
        &self.plan.applied_rules
    }

    /// The explain text of `db._explain()`.
    pub fn to_text(&self) -> String {
        // Renderers recurse per nesting level: give deep plans room.
        crate::stack::render_with_room(self.nesting, || crate::explain::text::render(self))
    }

    /// The body of ArangoDB's `POST /_api/explain` answer.
    pub fn to_json(&self) -> String {
        crate::stack::render_with_room(self.nesting, || crate::explain::json::render(self))
    }

    /// A Graphviz picture (`dot -Tsvg`).
    pub fn to_dot(&self) -> String {
        crate::stack::render_with_room(self.nesting, || crate::explain::dot::render(self))
    }
}
