//! iden3's binary container, shared by `.r1cs`, `.wtns`, `.zkey` and `.ptau`.
//!
//! ```text
//! magic (4 bytes) ‖ version u32 ‖ n u32 ‖ n × ( type u32 ‖ size u64 ‖ size bytes )
//! ```
//!
//! Integers are little-endian. Field elements are `n8`-byte little-endian integers; in `.zkey`
//! files points and coefficients are stored in Montgomery form (see [`super::zkey`]).

use ark_ff::{BigInteger, PrimeField};

/// Why a container could not be read: what was expected where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Malformed(pub String);

/// Writes a container.
pub fn write(magic: &[u8; 4], version: u32, sections: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let size = 12 + sections.iter().map(|(_, b)| 12 + b.len()).sum::<usize>();
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(magic);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    for (id, body) in sections {
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        out.extend_from_slice(body);
    }
    out
}

/// Appends a field element as `n8 = 32` little-endian bytes of its canonical integer.
pub fn put_field<F: PrimeField>(out: &mut Vec<u8>, x: &F) {
    out.extend_from_slice(&x.into_bigint().to_bytes_le());
}

/// Appends the modulus of `F` as 32 little-endian bytes (the `prime` of every header).
pub fn put_modulus<F: PrimeField>(out: &mut Vec<u8>) {
    out.extend_from_slice(&F::MODULUS.to_bytes_le());
}

/// A parsed container: the sections, each a slice of the input.
#[derive(Debug)]
pub struct BinFile<'a> {
    sections: Vec<(u32, &'a [u8])>,
}

impl<'a> BinFile<'a> {
    /// Parses the container layout (not the sections' contents). `kind` names the file type in
    /// errors.
    pub fn parse(
        bytes: &'a [u8],
        magic: &[u8; 4],
        max_version: u32,
        kind: &str,
    ) -> Result<Self, Malformed> {
        let mut r = Reader::new(bytes, kind);
        if r.bytes(4)? != magic {
            return Err(Malformed(format!(
                "not a {kind} file (it does not start with {:?})",
                String::from_utf8_lossy(magic)
            )));
        }
        let version = r.u32()?;
        if version == 0 || version > max_version {
            return Err(Malformed(format!(
                "{kind} version {version}, only versions up to {max_version} are known"
            )));
        }
        let n = r.u32()?;
        let mut sections = Vec::new();
        for _ in 0..n {
            let id = r.u32()?;
            let size = r.u64()?;
            let size = usize::try_from(size)
                .ok()
                .filter(|s| *s <= r.remaining())
                .ok_or_else(|| {
                    Malformed(format!(
                        "section {id} claims {size} bytes, only {} remain (truncated file?)",
                        r.remaining()
                    ))
                })?;
            sections.push((id, r.bytes(size)?));
        }
        if r.remaining() != 0 {
            return Err(Malformed(format!(
                "{} trailing bytes after the last section",
                r.remaining()
            )));
        }
        Ok(Self { sections })
    }

    /// The one section of type `id`.
    pub fn section(&self, id: u32) -> Result<&'a [u8], Malformed> {
        let mut found = self.sections.iter().filter(|(i, _)| *i == id);
        match (found.next(), found.next()) {
            (Some((_, body)), None) => Ok(body),
            (None, _) => Err(Malformed(format!("section {id} is missing"))),
            (Some(_), Some(_)) => Err(Malformed(format!("section {id} appears twice"))),
        }
    }
}

/// A bounds-checked little-endian reader over one section.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    what: String,
}

impl<'a> Reader<'a> {
    /// Reads `buf`; `what` names it in errors.
    pub fn new(buf: &'a [u8], what: impl Into<String>) -> Self {
        Self {
            buf,
            pos: 0,
            what: what.into(),
        }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        if n > self.remaining() {
            return Err(Malformed(format!(
                "{}: truncated at byte {} (needed {n} more bytes, {} remain)",
                self.what,
                self.pos,
                self.remaining()
            )));
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// A `u32`.
    pub fn u32(&mut self) -> Result<u32, Malformed> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A `u64`.
    pub fn u64(&mut self) -> Result<u64, Malformed> {
        let mut w = [0u8; 8];
        w.copy_from_slice(self.bytes(8)?);
        Ok(u64::from_le_bytes(w))
    }

    /// A 32-byte little-endian integer, as 4 limbs.
    pub fn limbs(&mut self) -> Result<[u64; 4], Malformed> {
        let b = self.bytes(32)?;
        let mut limbs = [0u64; 4];
        for (l, c) in limbs.iter_mut().zip(b.chunks_exact(8)) {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            *l = u64::from_le_bytes(w);
        }
        Ok(limbs)
    }

    /// Fails unless everything was read.
    pub fn finish(&self) -> Result<(), Malformed> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(Malformed(format!(
                "{}: {} unexpected trailing bytes",
                self.what,
                self.remaining()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_round_trip_and_damage_is_reported() {
        let bytes = write(b"test", 1, &[(1, vec![1, 2, 3]), (2, vec![])]);
        let f = BinFile::parse(&bytes, b"test", 1, "test").unwrap();
        assert_eq!(f.section(1).unwrap(), &[1, 2, 3]);
        assert!(f.section(2).unwrap().is_empty());
        assert!(f.section(3).unwrap_err().0.contains("missing"));
        for cut in 0..bytes.len() {
            assert!(BinFile::parse(&bytes[..cut], b"test", 1, "test").is_err());
        }
        assert!(BinFile::parse(&bytes, b"tesT", 1, "test").is_err());
        let twice = write(b"test", 1, &[(1, vec![]), (1, vec![])]);
        let f = BinFile::parse(&twice, b"test", 1, "test").unwrap();
        assert!(f.section(1).unwrap_err().0.contains("twice"));
        let mut long = bytes.clone();
        long.push(0);
        assert!(BinFile::parse(&long, b"test", 1, "test").is_err());
        // A section size beyond the file (and beyond usize on 32-bit targets).
        let mut huge = write(b"test", 1, &[(1, vec![0; 4])]);
        huge[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(BinFile::parse(&huge, b"test", 1, "test").is_err());
    }
}
