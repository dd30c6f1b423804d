//! Rebuilds the server when the built web client changes, so a release
//! binary always embeds the current `web/dist`.

fn main() {
    println!("cargo:rerun-if-changed=../../web/dist");
}
