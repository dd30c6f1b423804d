//! The web client is embedded at compile time (see `src/routes/web.rs`):
//! rebuild when `npm run build` changes `web/dist`, even when it adds the
//! folder after a build without it.

fn main() {
    println!("cargo:rerun-if-changed=../../web/dist");
}
