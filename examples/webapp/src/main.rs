//! Prints the greeting for the name given as the first argument.

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    println!("{}", webapp::greeting(&name));
}
