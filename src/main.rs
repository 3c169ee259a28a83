fn main() -> std::process::ExitCode {
    tradetalks::cli::run()
}
