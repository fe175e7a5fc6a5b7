//! Montgomery multiplication kernels for 4-limb moduli below 2^254 (BN254's `Fr` and `Fq`),
//! and on aarch64 the modular addition and subtraction beside them.
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
//! Operands below `2q` (the unreduced sums of [`add_wide`]) are fine too when `q < 2^254`:
//! a row gives `t' = (t + a·bᵢ + m·q)/2^64 < t/2^64 + a + q < 3q + 1 < 2^256` (the sum
//! before the shift `< 2^320`), and the result `(a·b + M·q)/2^256 < 4q²/2^256 + q < 2q`, so
//! the one conditional subtraction still leaves the reduced product, bit for bit.
//!
//! `add_asm` and `sub_asm` (aarch64 only) are the branch-free addition and subtraction of
//! [`crate::arith::AddSub`] in assembly. All three read the modulus from memory ([`Consts`]):
//! as register operands, the compiler materialised its four limbs (and `−q₀^−1`) as 64-bit
//! immediates, four instructions each, at every inlined call — about a quarter of the code of a batch-affine addition was such
//! `mov`/`movk`s.
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

/// A modulus `q` and its Montgomery constant as the assembly kernel reads them from memory:
/// `[q₀, q₁, q₂, q₃, −q₀^−1 mod 2^64]`. Loading them (two `ldp` and one `ldr`) costs less
/// than materialising five 64-bit immediates (four instructions each) at every inlined
/// multiplication, which is what the compiler emits when they are register operands.
pub type Consts = [u64; 5];

/// [`Consts`] of `q`.
pub const fn consts(q: &[u64; 4]) -> Consts {
    [q[0], q[1], q[2], q[3], neg_inv(q[0])]
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

/// [`mul_rust`] in aarch64 assembly (see the module documentation), the modulus and its
/// constant read from `k` ([`Consts`]).
#[cfg(target_arch = "aarch64")]
#[inline(always)]
#[allow(unsafe_code)]
pub fn mul_asm(a: &[u64; 4], b: &[u64; 4], k: &Consts) -> [u64; 4] {
    // m = t₀·inv (in bᵢ's register); t = (t + m·q) / 2^64
    macro_rules! reduce {
        () => {
            concat!(
                // t₀ + m·q₀ ≡ 0 carries iff t₀ ≠ 0
                "mul {bi}, {t0}, {inv}\n",
                "mul {l1}, {bi}, {q1}\n",
                "mul {l2}, {bi}, {q2}\n",
                "mul {l3}, {bi}, {q3}\n",
                "umulh {h0}, {bi}, {q0}\n",
                "umulh {h1}, {bi}, {q1}\n",
                "umulh {h2}, {bi}, {q2}\n",
                "umulh {h3}, {bi}, {q3}\n",
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
    // Row 0 starts from t = 0: the low products are t itself, no carry chain.
    macro_rules! first {
        () => {
            concat!(
                "ldr {bi}, [{bp}]\n",
                // t = a·b₀
                "mul {t0}, {a0}, {bi}\n",
                "mul {t1}, {a1}, {bi}\n",
                "mul {t2}, {a2}, {bi}\n",
                "mul {t3}, {a3}, {bi}\n",
                "umulh {h0}, {a0}, {bi}\n",
                "umulh {h1}, {a1}, {bi}\n",
                "umulh {h2}, {a2}, {bi}\n",
                "umulh {h3}, {a3}, {bi}\n",
                "adds {t1}, {t1}, {h0}\n",
                "adcs {t2}, {t2}, {h1}\n",
                "adcs {t3}, {t3}, {h2}\n",
                "adc {t4}, {h3}, xzr\n",
                reduce!(),
            )
        };
    }
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
                reduce!(),
            )
        };
    }
    let (t0, t1, t2, t3): (u64, u64, u64, u64);
    // SAFETY: reads the four limbs of `b` through `bp` (a valid `&[u64; 4]`) and the five
    // words of `k` through `kp` (a valid `&[u64; 5]`), writes only the declared registers,
    // touches no stack and no other memory.
    unsafe {
        core::arch::asm!(
            "ldp {q0}, {q1}, [{kp}]",
            "ldp {q2}, {q3}, [{kp}, #16]",
            "ldr {inv}, [{kp}, #32]",
            first!(),
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
            kp = in(reg) k.as_ptr(),
            q0 = out(reg) _,
            q1 = out(reg) _,
            q2 = out(reg) _,
            q3 = out(reg) _,
            inv = out(reg) _,
            t0 = out(reg) t0,
            t1 = out(reg) t1,
            t2 = out(reg) t2,
            t3 = out(reg) t3,
            t4 = out(reg) _,
            bi = out(reg) _,
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

/// `a + b` as a plain 256-bit sum, not reduced: for `a, b < q < 2^254` it is below `2q`, an
/// operand [`mul_rust`] and `mul_asm` accept (module documentation) — and only that: it is
/// not a field element's canonical form. Saves the comparison with `q` where a sum only
/// feeds a multiplication (Karatsuba's `(a₀ + a₁)(b₀ + b₁)` in `Fq2`).
#[inline(always)]
pub fn add_wide(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
    #[cfg(target_arch = "aarch64")]
    {
        let [mut s0, mut s1, mut s2, mut s3] = *a;
        // SAFETY: register arithmetic only: writes the declared registers, touches no memory.
        #[allow(unsafe_code)]
        unsafe {
            core::arch::asm!(
                "adds {s0}, {s0}, {b0}",
                "adcs {s1}, {s1}, {b1}",
                "adcs {s2}, {s2}, {b2}",
                "adc {s3}, {s3}, {b3}",
                b0 = in(reg) b[0],
                b1 = in(reg) b[1],
                b2 = in(reg) b[2],
                b3 = in(reg) b[3],
                s0 = inout(reg) s0,
                s1 = inout(reg) s1,
                s2 = inout(reg) s2,
                s3 = inout(reg) s3,
                options(pure, nomem, nostack),
            );
        }
        [s0, s1, s2, s3]
    }
    #[cfg(not(target_arch = "aarch64"))]
    {
        let mut s = [0u64; 4];
        let mut carry = 0u64;
        for j in 0..4 {
            let x = a[j] as u128 + b[j] as u128 + carry as u128;
            s[j] = x as u64;
            carry = (x >> 64) as u64;
        }
        s
    }
}

/// `a + b mod q` for `a, b < q < 2^255` in aarch64 assembly, `q` read from `k` ([`Consts`]):
/// `s = a + b`, then `s − q` unless that borrows. Bit-identical to ark-ff's addition (the
/// result is the unique reduced sum).
#[cfg(target_arch = "aarch64")]
#[inline(always)]
#[allow(unsafe_code)]
pub fn add_asm(a: &[u64; 4], b: &[u64; 4], k: &Consts) -> [u64; 4] {
    // s = a + b < 2q < 2^256
    let [mut s0, mut s1, mut s2, mut s3] = add_wide(a, b);
    // SAFETY: reads the first four words of `k` through `kp` (a valid `&[u64; 5]`), writes
    // only the declared registers, touches no stack and no other memory.
    unsafe {
        core::arch::asm!(
            "ldp {q0}, {q1}, [{kp}]",
            "ldp {q2}, {q3}, [{kp}, #16]",
            // d = s − q; keep s when that borrows (carry clear: `lo`)
            "subs {q0}, {s0}, {q0}",
            "sbcs {q1}, {s1}, {q1}",
            "sbcs {q2}, {s2}, {q2}",
            "sbcs {q3}, {s3}, {q3}",
            "csel {s0}, {s0}, {q0}, lo",
            "csel {s1}, {s1}, {q1}, lo",
            "csel {s2}, {s2}, {q2}, lo",
            "csel {s3}, {s3}, {q3}, lo",
            kp = in(reg) k.as_ptr(),
            s0 = inout(reg) s0,
            s1 = inout(reg) s1,
            s2 = inout(reg) s2,
            s3 = inout(reg) s3,
            q0 = out(reg) _,
            q1 = out(reg) _,
            q2 = out(reg) _,
            q3 = out(reg) _,
            options(pure, readonly, nostack),
        );
    }
    [s0, s1, s2, s3]
}

/// `a − b mod q` for `a, b < q` in aarch64 assembly, `q` read from `k` ([`Consts`]):
/// `d = a − b mod 2^256`, plus `q` when that borrowed. Bit-identical to ark-ff's subtraction.
#[cfg(target_arch = "aarch64")]
#[inline(always)]
#[allow(unsafe_code)]
pub fn sub_asm(a: &[u64; 4], b: &[u64; 4], k: &Consts) -> [u64; 4] {
    let [mut d0, mut d1, mut d2, mut d3] = *a;
    // SAFETY: as in `add_asm`.
    unsafe {
        core::arch::asm!(
            "ldp {q0}, {q1}, [{kp}]",
            "ldp {q2}, {q3}, [{kp}, #16]",
            // d = a − b mod 2^256; mask = all ones when that borrowed (carry clear: `lo`)
            "subs {d0}, {d0}, {b0}",
            "sbcs {d1}, {d1}, {b1}",
            "sbcs {d2}, {d2}, {b2}",
            "sbcs {d3}, {d3}, {b3}",
            "csetm {m}, lo",
            "and {q0}, {q0}, {m}",
            "and {q1}, {q1}, {m}",
            "and {q2}, {q2}, {m}",
            "and {q3}, {q3}, {m}",
            // d + (q & mask)
            "adds {d0}, {d0}, {q0}",
            "adcs {d1}, {d1}, {q1}",
            "adcs {d2}, {d2}, {q2}",
            "adc {d3}, {d3}, {q3}",
            kp = in(reg) k.as_ptr(),
            b0 = in(reg) b[0],
            b1 = in(reg) b[1],
            b2 = in(reg) b[2],
            b3 = in(reg) b[3],
            d0 = inout(reg) d0,
            d1 = inout(reg) d1,
            d2 = inout(reg) d2,
            d3 = inout(reg) d3,
            q0 = out(reg) _,
            q1 = out(reg) _,
            q2 = out(reg) _,
            q3 = out(reg) _,
            m = out(reg) _,
            options(pure, readonly, nostack),
        );
    }
    [d0, d1, d2, d3]
}

/// `a²·2^−256 mod q` for `a < q < 2^254` in aarch64 assembly, `q` and `−q₀^−1` read from `k`
/// ([`Consts`]): bit-identical to [`mul_asm`]`(a, a, k)` (and ark-ff's squaring), about 15 %
/// fewer instructions. The square `T = a²` (eight limbs) is built from the six cross products,
/// doubled, plus the four squares; four Montgomery rounds then reduce its low half alone,
/// `u = (T_lo + M·q)/2^256` (each round `w ← (w + m·q)/2^64` keeps `w < 2^192 + q`, four
/// limbs), and `u + T_hi = (T + M·q)/2^256 < q²/2^256 + q + 1 < 2q` (as `q < 2^254`), so one
/// conditional subtraction reduces it.
#[cfg(target_arch = "aarch64")]
#[inline(always)]
#[allow(unsafe_code)]
pub fn sqr_asm(a: &[u64; 4], k: &Consts) -> [u64; 4] {
    macro_rules! round {
        () => {
            concat!(
                // m = t₀·inv; t = (t + m·q) / 2^64, where t₀ + m·q₀ ≡ 0 carries iff t₀ ≠ 0
                "mul {w}, {t0}, {inv}\n",
                "mul {x}, {w}, {q1}\n",
                "mul {y}, {w}, {q2}\n",
                "mul {z}, {w}, {q3}\n",
                "umulh {a0}, {w}, {q0}\n",
                "umulh {a1}, {w}, {q1}\n",
                "umulh {a2}, {w}, {q2}\n",
                "umulh {a3}, {w}, {q3}\n",
                "cmp {t0}, #1\n",
                "adcs {t0}, {t1}, {x}\n",
                "adcs {t1}, {t2}, {y}\n",
                "adcs {t2}, {t3}, {z}\n",
                "adc {t3}, xzr, xzr\n",
                "adds {t0}, {t0}, {a0}\n",
                "adcs {t1}, {t1}, {a1}\n",
                "adcs {t2}, {t2}, {a2}\n",
                "adc {t3}, {t3}, {a3}\n",
            )
        };
    }
    let (t0, t1, t2, t3): (u64, u64, u64, u64);
    // SAFETY: reads the five words of `k` through `kp` (a valid `&[u64; 5]`), writes only
    // the declared registers (the inputs `a₀..a₃` are scratch after the square), touches no
    // stack and no other memory.
    unsafe {
        core::arch::asm!(
            "ldp {q0}, {q1}, [{kp}]",
            "ldp {q2}, {q3}, [{kp}, #16]",
            "ldr {inv}, [{kp}, #32]",
            // cross products a₀·(a₁, a₂, a₃) into t₁..t₄
            "mul {t1}, {a0}, {a1}",
            "umulh {t2}, {a0}, {a1}",
            "mul {x}, {a0}, {a2}",
            "umulh {t3}, {a0}, {a2}",
            "mul {y}, {a0}, {a3}",
            "umulh {t4}, {a0}, {a3}",
            "adds {t2}, {t2}, {x}",
            "adcs {t3}, {t3}, {y}",
            "adc {t4}, {t4}, xzr",
            // + a₁·(a₂, a₃) at limbs 3..5: low products, then high products
            "mul {x}, {a1}, {a2}",
            "umulh {y}, {a1}, {a2}",
            "mul {z}, {a1}, {a3}",
            "umulh {w}, {a1}, {a3}",
            "adds {t3}, {t3}, {x}",
            "adcs {t4}, {t4}, {z}",
            "cset {t5}, cs",
            "adds {t4}, {t4}, {y}",
            "adc {t5}, {t5}, {w}",
            // + a₂·a₃ at limbs 5..6
            "mul {x}, {a2}, {a3}",
            "umulh {t6}, {a2}, {a3}",
            "adds {t5}, {t5}, {x}",
            "adc {t6}, {t6}, xzr",
            // doubled into t₁..t₇
            "adds {t1}, {t1}, {t1}",
            "adcs {t2}, {t2}, {t2}",
            "adcs {t3}, {t3}, {t3}",
            "adcs {t4}, {t4}, {t4}",
            "adcs {t5}, {t5}, {t5}",
            "adcs {t6}, {t6}, {t6}",
            "cset {t7}, cs",
            // + the squares aᵢ² at limbs 2i, 2i+1 (mul/umulh leave the flags alone)
            "mul {t0}, {a0}, {a0}",
            "umulh {x}, {a0}, {a0}",
            "mul {y}, {a1}, {a1}",
            "umulh {z}, {a1}, {a1}",
            "adds {t1}, {t1}, {x}",
            "adcs {t2}, {t2}, {y}",
            "adcs {t3}, {t3}, {z}",
            "mul {x}, {a2}, {a2}",
            "umulh {y}, {a2}, {a2}",
            "mul {z}, {a3}, {a3}",
            "umulh {w}, {a3}, {a3}",
            "adcs {t4}, {t4}, {x}",
            "adcs {t5}, {t5}, {y}",
            "adcs {t6}, {t6}, {z}",
            "adc {t7}, {t7}, {w}",
            // reduce the low half: four rounds (a₀..a₃ now hold the high products m·qᵢ)
            round!(),
            round!(),
            round!(),
            round!(),
            // + the high half
            "adds {t0}, {t0}, {t4}",
            "adcs {t1}, {t1}, {t5}",
            "adcs {t2}, {t2}, {t6}",
            "adc {t3}, {t3}, {t7}",
            // t − q; keep t when that borrows (carry clear: `lo`)
            "subs {x}, {t0}, {q0}",
            "sbcs {y}, {t1}, {q1}",
            "sbcs {z}, {t2}, {q2}",
            "sbcs {w}, {t3}, {q3}",
            "csel {t0}, {t0}, {x}, lo",
            "csel {t1}, {t1}, {y}, lo",
            "csel {t2}, {t2}, {z}, lo",
            "csel {t3}, {t3}, {w}, lo",
            kp = in(reg) k.as_ptr(),
            a0 = inout(reg) a[0] => _,
            a1 = inout(reg) a[1] => _,
            a2 = inout(reg) a[2] => _,
            a3 = inout(reg) a[3] => _,
            q0 = out(reg) _,
            q1 = out(reg) _,
            q2 = out(reg) _,
            q3 = out(reg) _,
            inv = out(reg) _,
            t0 = out(reg) t0,
            t1 = out(reg) t1,
            t2 = out(reg) t2,
            t3 = out(reg) t3,
            t4 = out(reg) _,
            t5 = out(reg) _,
            t6 = out(reg) _,
            t7 = out(reg) _,
            x = out(reg) _,
            y = out(reg) _,
            z = out(reg) _,
            w = out(reg) _,
            options(pure, readonly, nostack),
        );
    }
    [t0, t1, t2, t3]
}
