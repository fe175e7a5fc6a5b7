//! `zkcontrib policy`: a policy's canonical (integer) form, its `policy_id` and its region.

use super::BadInput;
use std::path::PathBuf;
use std::process::ExitCode;
use zkcontrib_prover::policy_file;

/// `zkcontrib policy`.
#[derive(clap::Args)]
pub struct PolicyArgs {
    /// Policy file (TOML or JSON).
    #[arg(long)]
    policy: PathBuf,
    /// Print the canonical form as JSON (errors too).
    #[arg(long)]
    pub json: bool,
}

/// `zkcontrib policy`.
pub fn policy(a: PolicyArgs) -> Result<ExitCode, BadInput> {
    let p = policy_file::load_policy(&a.policy)?;
    let params = p.params();
    if a.json {
        let v = serde_json::json!({
            "name": p.name(),
            "policy_id": p.id_hex(),
            "params": params,
            "region": p.region().report(),
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&v).map_err(anyhow::Error::from)?
        );
    } else {
        println!("name          {}", p.name());
        println!("policy_id     {}", p.id_hex());
        println!(
            "window        {} .. {} ms",
            params.not_before_ms, params.not_after_ms
        );
        println!(
            "intervals     {} .. {} ms",
            params.min_interval_ms, params.max_interval_ms
        );
        println!(
            "speed         {} mm/s ({} units/ms, steps < 2^{} units, tolerance {})",
            params.max_speed_mmps, params.speed_units, params.step_bits, params.speed_tolerance
        );
        println!(
            "thresholds    {} points, {} m, {} bp inside",
            params.min_points, params.min_distance_m, params.min_inside_bp
        );
        let r = p.region().report();
        println!(
            "region        {} items (4-ary depth {}), root {}",
            params.region_items, params.region_depth, params.region_root
        );
        println!(
            "              {} polygon(s) of {} read ({} vertices), {:.0} km²: {} core squares, {} boundary triangles, {} overlapping squares down to level {}",
            r.polygons,
            r.input_polygons,
            r.input_vertices,
            r.area_km2,
            r.core_squares,
            r.band_triangles,
            r.planning_squares,
            r.planning_level
        );
        if r.excluded_km2 > 0.0 {
            println!("exclusion     {:.1} km² removed", r.excluded_km2);
        }
        if r.repairs.is_empty() {
            println!("repairs       none (the boundary file is valid)");
        } else {
            println!("repairs       {}", r.repairs.len());
            for rep in &r.repairs {
                println!("  polygon {}: {}: {}", rep.polygon, rep.problem, rep.action);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
