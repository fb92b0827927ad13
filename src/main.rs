use clap::Parser;

fn main() {
    let cli = frist::cli::Cli::parse();
    if let Err(f) = frist::cli::run(cli) {
        if !f.message.is_empty() {
            eprintln!("frist: {}", f.message);
        }
        std::process::exit(f.code);
    }
}
