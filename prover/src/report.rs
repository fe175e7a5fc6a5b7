//! The `zkcontrib check` report: human text and machine JSON from an [`Evaluation`].

use serde::Serialize;
use std::fmt::Write as _;
use zkcontrib_circuits::policy::Policy;
use zkcontrib_circuits::rules::{Claims, Evaluation, Rule, Violation};

/// Indices listed per rule in the text report before "… and N more".
const LIST_LIMIT: usize = 12;

/// One rule's outcome.
#[derive(Serialize)]
pub struct RuleOutcome<'a> {
    /// The rule.
    pub rule: Rule,
    /// Whether it holds.
    pub ok: bool,
    /// Every violation of it.
    pub violations: Vec<&'a Violation>,
}

/// The machine-readable report (`--json`).
#[derive(Serialize)]
pub struct CheckReport<'a> {
    /// The trace file as given.
    pub trace: String,
    /// Policy label.
    pub policy_name: &'a str,
    /// Policy id, `0x` hex.
    pub policy_id: String,
    /// True when every rule holds.
    pub qualifies: bool,
    /// What a proof would reveal.
    pub claims: Claims,
    /// Points inside the region.
    pub inside_points: u64,
    /// Per rule.
    pub rules: Vec<RuleOutcome<'a>>,
}

impl<'a> CheckReport<'a> {
    /// Builds the report.
    pub fn new(trace: &str, policy: &'a Policy, eval: &'a Evaluation) -> Self {
        let rules = Rule::ALL
            .iter()
            .map(|&rule| {
                let violations: Vec<&Violation> = eval
                    .violations
                    .iter()
                    .filter(|v| v.rule() == rule)
                    .collect();
                RuleOutcome {
                    rule,
                    ok: violations.is_empty(),
                    violations,
                }
            })
            .collect();
        Self {
            trace: trace.to_owned(),
            policy_name: policy.name(),
            policy_id: policy.id_hex(),
            qualifies: eval.qualifies(),
            claims: eval.claims,
            inside_points: eval.inside,
            rules,
        }
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// The human report.
    pub fn to_text(&self, policy: &Policy) -> String {
        let p = policy.params();
        let c = &self.claims;
        let mut s = String::new();
        let _ = writeln!(s, "trace   {}", self.trace);
        let _ = writeln!(
            s,
            "policy  {} ({})",
            self.policy_name,
            short_id(&self.policy_id)
        );
        let _ = writeln!(
            s,
            "claims  {} points, {} m, {}",
            c.points,
            c.distance_m,
            duration(c.duration_s)
        );
        let _ = writeln!(s);
        for r in &self.rules {
            let status = if r.ok { "ok  " } else { "FAIL" };
            let _ = writeln!(
                s,
                "  {status}  {:<13} {}",
                r.rule.name(),
                rule_summary(r, self, p)
            );
            if !r.ok {
                // Rows about the whole trace (the inside share, the point count) are always
                // shown; "… and N more" counts points only.
                let (at_points, whole): (Vec<&Violation>, Vec<&Violation>) =
                    r.violations.iter().partition(|v| v.point().is_some());
                for v in whole.iter().chain(at_points.iter().take(LIST_LIMIT)) {
                    let _ = writeln!(s, "          - {v}");
                }
                if at_points.len() > LIST_LIMIT {
                    let _ = writeln!(
                        s,
                        "          … and {} more points",
                        at_points.len() - LIST_LIMIT
                    );
                }
            }
        }
        let broken = self.rules.iter().filter(|r| !r.ok).count();
        let _ = writeln!(s);
        if self.qualifies {
            let _ = writeln!(s, "result  QUALIFIES");
        } else {
            let _ = writeln!(
                s,
                "result  DOES NOT QUALIFY ({broken} rule{} broken)",
                if broken == 1 { "" } else { "s" }
            );
        }
        s
    }
}

fn short_id(id: &str) -> String {
    if id.len() > 14 {
        format!("{}…{}", &id[..10], &id[id.len() - 4..])
    } else {
        id.to_owned()
    }
}

/// `1h 43m 12s`.
pub fn duration(s: u64) -> String {
    let (h, m, sec) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("{h}h {m:02}m {sec:02}s")
    } else if m > 0 {
        format!("{m}m {sec:02}s")
    } else {
        format!("{sec}s")
    }
}

fn rule_summary(
    r: &RuleOutcome<'_>,
    rep: &CheckReport<'_>,
    p: &zkcontrib_circuits::policy::PolicyParams,
) -> String {
    let n = rep.claims.points;
    match r.rule {
        Rule::Encodable => "every point and step fits a chunk window".into(),
        Rule::Region => format!(
            "{} of {} points inside ({:.2} % required)",
            rep.inside_points,
            n,
            f64::from(p.min_inside_bp) / 100.0
        ),
        Rule::Window => "times within the policy window".into(),
        Rule::Increasing => "timestamps strictly increase".into(),
        Rule::Interval => format!(
            "intervals within [{}, {}] s",
            p.min_interval_ms as f64 / 1000.0,
            p.max_interval_ms as f64 / 1000.0
        ),
        Rule::Speed => format!("at most {:.2} m/s", p.max_speed_mmps as f64 / 1000.0),
        Rule::MinPoints => format!("{} points (at least {})", n, p.min_points),
        Rule::MinDistance => format!(
            "{} m (at least {} m)",
            rep.claims.distance_m, p.min_distance_m
        ),
        _ => String::new(),
    }
}
