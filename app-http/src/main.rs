//! Allot's HTTP server. Not built yet: the allocation service arrives with its own issue.

fn main() -> std::process::ExitCode {
    eprintln!(
        "app-http is not built yet. Try the dry run: cargo run -p app-cli -- allocate --demo --format table"
    );
    std::process::ExitCode::from(2)
}
