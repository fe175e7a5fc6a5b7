//! Montgomery multiplication kernels for 4-limb moduli below 2^254 (BN254's `Fr` and `Fq`).
//!
//! Both compute exactly what ark-ff's `Fp` multiplication computes, `a·b·2^−256 mod q`
//! reduced below `q` (the result is unique, so it is bit-identical whatever the algorithm),
//! for operands already reduced below `q`:
//!
//! - [`mul_rust`]: operand-scanning CIOS in plain Rust with a branch-free final subtraction
//!   (ark-ff's generic path ends with a limb-by-limb comparison and a branch);
//! - `mul_asm` (aarch64 only): the same rows written with `mul`/`umulh` and `adds`/`adcs`
//!   carry chains: per row, the four low products are added in one carry chain and the four
//!   high products in another, and `t₀ + m·q₀` (always `≡ 0 mod 2^64`) is replaced by its
//!   carry, `t₀ ≠ 0`, so one multiplication per row is skipped.
//!
//! Bounds (`q < 2^255` suffices): with `a, b < q` and `t ≤ 2q − 1` before a row,
//! `t + a·bᵢ + m·q ≤ 2^65·q − 2^64`, so `t ≤ 2q − 1 < 2^256` after the shift and one
//! conditional subtraction of `q` reduces it. The sum before the shift fits in five limbs.
//!
//! [`crate::arith::FastMul`] picks the kernel; these functions are public for the probes
//! (`examples/arm_probe.rs`) that time them against ark-ff.

/// `−q₀^−1 mod 2^64` (Montgomery's constant) for an odd `q₀`, by Newton's iteration.
pub const fn neg_inv(q0: u64) -> u64 {
    // x ← x·(2 − q₀·x) doubles the number of correct low bits; x = q₀ is right mod 2^3.
    let mut x = q0;
    let mut i = 0;
    while i < 6 {
        x = x.wrapping_mul(2u64.wrapping_sub(q0.wrapping_mul(x)));
        i += 1;
    }
    x.wrapping_neg()
}

#[inline(always)]
fn mac(t: u64, a: u64, b: u64, c: u64) -> (u64, u64) {
    // t + a·b + c ≤ 2^128 − 1
    let x = t as u128 + (a as u128) * (b as u128) + c as u128;
    (x as u64, (x >> 64) as u64)
}

/// `t − q` when that does not borrow, else `t` (without a branch).
#[inline(always)]
fn reduce_once(t: [u64; 4], q: &[u64; 4]) -> [u64; 4] {
    let mut d = [0u64; 4];
    let mut borrow = 0u64;
    for j in 0..4 {
        let x = (t[j] as u128).wrapping_sub(q[j] as u128 + borrow as u128);
        d[j] = x as u64;
        borrow = ((x >> 64) as u64) & 1;
    }
    let keep = 0u64.wrapping_sub(borrow);
    [
        (t[0] & keep) | (d[0] & !keep),
        (t[1] & keep) | (d[1] & !keep),
        (t[2] & keep) | (d[2] & !keep),
        (t[3] & keep) | (d[3] & !keep),
    ]
}

/// `a·b·2^−256 mod q` for `a, b < q < 2^254`, `inv = neg_inv(q[0])`; plain Rust.
#[inline(always)]
pub fn mul_rust(a: &[u64; 4], b: &[u64; 4], q: &[u64; 4], inv: u64) -> [u64; 4] {
    let mut t = [0u64; 4];
    for &bi in b {
        // (t4 t3 t2 t1 t0) = t + a·bᵢ
        let (t0, c) = mac(t[0], a[0], bi, 0);
        let (t1, c) = mac(t[1], a[1], bi, c);
        let (t2, c) = mac(t[2], a[2], bi, c);
        let (t3, t4) = mac(t[3], a[3], bi, c);
        // + m·q, then one limb down (the low limb is 0 by the choice of m)
        let m = t0.wrapping_mul(inv);
        let (_, c) = mac(t0, m, q[0], 0);
        let (r0, c) = mac(t1, m, q[1], c);
        let (r1, c) = mac(t2, m, q[2], c);
        let (r2, c) = mac(t3, m, q[3], c);
        t = [r0, r1, r2, t4.wrapping_add(c)];
    }
    reduce_once(t, q)
}

/// [`mul_rust`] in aarch64 assembly (see the module documentation).
#[cfg(target_arch = "aarch64")]
#[inline(always)]
#[allow(unsafe_code)]
pub fn mul_asm(a: &[u64; 4], b: &[u64; 4], q: &[u64; 4], inv: u64) -> [u64; 4] {
    macro_rules! row {
        ($off:literal) => {
            concat!(
                "ldr {bi}, [{bp}, #",
                $off,
                "]\n",
                // t += a·bᵢ: low products in one carry chain, high products in the next
                "mul {l0}, {a0}, {bi}\n",
                "mul {l1}, {a1}, {bi}\n",
                "mul {l2}, {a2}, {bi}\n",
                "mul {l3}, {a3}, {bi}\n",
                "umulh {h0}, {a0}, {bi}\n",
                "umulh {h1}, {a1}, {bi}\n",
                "umulh {h2}, {a2}, {bi}\n",
                "umulh {h3}, {a3}, {bi}\n",
                "adds {t0}, {t0}, {l0}\n",
                "adcs {t1}, {t1}, {l1}\n",
                "adcs {t2}, {t2}, {l2}\n",
                "adcs {t3}, {t3}, {l3}\n",
                "adc {t4}, xzr, xzr\n",
                "adds {t1}, {t1}, {h0}\n",
                "adcs {t2}, {t2}, {h1}\n",
                "adcs {t3}, {t3}, {h2}\n",
                "adc {t4}, {t4}, {h3}\n",
                // m = t₀·inv; t = (t + m·q) / 2^64, where t₀ + m·q₀ ≡ 0 carries iff t₀ ≠ 0
                "mul {m}, {t0}, {inv}\n",
                "mul {l1}, {m}, {q1}\n",
                "mul {l2}, {m}, {q2}\n",
                "mul {l3}, {m}, {q3}\n",
                "umulh {h0}, {m}, {q0}\n",
                "umulh {h1}, {m}, {q1}\n",
                "umulh {h2}, {m}, {q2}\n",
                "umulh {h3}, {m}, {q3}\n",
                "cmp {t0}, #1\n",
                "adcs {t0}, {t1}, {l1}\n",
                "adcs {t1}, {t2}, {l2}\n",
                "adcs {t2}, {t3}, {l3}\n",
                "adc {t3}, {t4}, xzr\n",
                "adds {t0}, {t0}, {h0}\n",
                "adcs {t1}, {t1}, {h1}\n",
                "adcs {t2}, {t2}, {h2}\n",
                "adc {t3}, {t3}, {h3}\n",
            )
        };
    }
    let (mut t0, mut t1, mut t2, mut t3) = (0u64, 0u64, 0u64, 0u64);
    // SAFETY: reads the four limbs of `b` through `bp` (a valid `&[u64; 4]`), writes only
    // the declared registers, touches no stack and no other memory.
    unsafe {
        core::arch::asm!(
            row!("0"),
            row!("8"),
            row!("16"),
            row!("24"),
            // t − q; keep t when that borrows (carry clear: `lo`)
            "subs {l0}, {t0}, {q0}",
            "sbcs {l1}, {t1}, {q1}",
            "sbcs {l2}, {t2}, {q2}",
            "sbcs {l3}, {t3}, {q3}",
            "csel {t0}, {t0}, {l0}, lo",
            "csel {t1}, {t1}, {l1}, lo",
            "csel {t2}, {t2}, {l2}, lo",
            "csel {t3}, {t3}, {l3}, lo",
            bp = in(reg) b.as_ptr(),
            a0 = in(reg) a[0],
            a1 = in(reg) a[1],
            a2 = in(reg) a[2],
            a3 = in(reg) a[3],
            q0 = in(reg) q[0],
            q1 = in(reg) q[1],
            q2 = in(reg) q[2],
            q3 = in(reg) q[3],
            inv = in(reg) inv,
            t0 = inout(reg) t0,
            t1 = inout(reg) t1,
            t2 = inout(reg) t2,
            t3 = inout(reg) t3,
            t4 = out(reg) _,
            bi = out(reg) _,
            m = out(reg) _,
            l0 = out(reg) _,
            l1 = out(reg) _,
            l2 = out(reg) _,
            l3 = out(reg) _,
            h0 = out(reg) _,
            h1 = out(reg) _,
            h2 = out(reg) _,
            h3 = out(reg) _,
            options(pure, readonly, nostack),
        );
    }
    [t0, t1, t2, t3]
}
