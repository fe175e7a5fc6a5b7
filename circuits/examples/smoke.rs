use ark_bn254::Fr;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use geo::{polygon, MultiPolygon};
use zkcontrib_circuits::circuit::{layout, TraceCircuit};
use zkcontrib_circuits::encode::Point;
use zkcontrib_circuits::plan::plan;
use zkcontrib_circuits::policy::{Policy, PolicyInput};
use zkcontrib_circuits::rules::evaluate;
use zkcontrib_circuits::shape::{EARTH, TEST};
use zkcontrib_circuits::witness::chunk_witnesses;

fn main() {
    for shape in [TEST, EARTH] {
        let l = layout(shape).unwrap();
        println!("{}: {} constraints, {:.1}/point", shape.name, l.total(), l.total() as f64 / shape.points as f64);
        for (p, n) in l.breakdown() {
            println!("  {p:32} {n:8} {:7.1}", n as f64 / shape.points as f64);
        }
    }
    let t0 = std::time::Instant::now();
    let policy = Policy::compile(&PolicyInput {
        name: "sq".into(),
        region: MultiPolygon(vec![polygon![(x: 10.0, y: 45.0), (x: 10.1, y: 45.0), (x: 10.1, y: 45.1), (x: 10.0, y: 45.1)]]),
        exclude: None,
        not_before_ms: 1,
        not_after_ms: 2_000_000_000_000,
        min_interval_ms: 500,
        max_interval_ms: 10_000,
        max_speed_mmps: 10_000,
        min_points: 2,
        min_distance_m: 10,
        min_inside_bp: 10_000,
    })
    .unwrap();
    println!("compile {:?} {:?}", t0.elapsed(), policy.region().report());
    let pts: Vec<Point> = (0..120)
        .map(|i| Point::from_degrees(45.000_03, 10.003 + 5.0e-4 * i as f64, 1_500_000_000_000 + 5000 * i).unwrap())
        .collect();
    let eval = evaluate(&policy, &pts);
    println!("violations {:?} claims {:?}", eval.violations, eval.claims);
    let (plans, chunking) = plan(&policy, &TEST, &pts, &eval).unwrap();
    println!("{} chunks {:?}", plans.len(), chunking);
    for c in &plans { println!("  start {} len {} carried {} item {:?} counted {}", c.start, c.len, c.carried, policy.region().items()[c.item], c.counted.iter().filter(|x| **x).count()); }
    let ws = chunk_witnesses(&policy, &TEST, &pts, &eval, &plans, Fr::from(7u64), Fr::from(9u64));
    for w in ws {
        let w2 = w.clone();
        let cs = ConstraintSystem::<Fr>::new_ref();
        TraceCircuit { shape: TEST, witness: Some(w) }.generate_constraints(cs.clone()).unwrap();
        println!("satisfied: {:?}", cs.which_is_unsatisfied().unwrap());
        println!("check: {:?} carried {} first {}", zkcontrib_circuits::circuit::check(TEST, &w2), w2.slots.iter().filter(|s| s.carried).count(), w2.public.is_first);
    }
}

#[allow(dead_code)]
fn edge() {}
