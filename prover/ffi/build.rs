//! Generates the C header, `$OUT_DIR/include/zkcontrib.h`, from `src/c.rs` with cbindgen.
//! The copy checked in at `include/zkcontrib.h` is compared with it by the
//! `header_is_current` test.

use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("include");
    println!("cargo:rerun-if-changed=src/c.rs");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    let result = cbindgen::Config::from_file(dir.join("cbindgen.toml"))
        .map_err(|e| e.to_string())
        .and_then(|config| {
            cbindgen::Builder::new()
                .with_config(config)
                .with_src(dir.join("src/c.rs"))
                .generate()
                .map_err(|e| e.to_string())
        })
        .and_then(|bindings| {
            std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
            bindings.write_to_file(out.join("zkcontrib.h"));
            Ok(())
        });
    if let Err(e) = result {
        println!("cargo::error=cbindgen: {e}");
        std::process::exit(1);
    }
}
