//! The `clawkit` binary: parses nothing itself, hands the arguments to the library.

fn main() -> std::process::ExitCode {
    clawkit::run(std::env::args_os())
}
