fn main() {
    let cli = frist::cli::parse();
    if let Err(f) = frist::cli::run(cli) {
        if !f.message.is_empty() {
            // A message may quote a file or the log: no control characters reach the terminal.
            frist::say_err!("frist: {}", frist::safe::lines(&f.message));
        }
        std::process::exit(f.code);
    }
}
