// jemalloc instead of the system allocator: the build allocates many small strings from two
// threads at once, where glibc's malloc spent about a fifth of the build's time and kept freed
// memory fragmented (peak RSS twice the live heap). BENCHMARKS.md has the measurements.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    tradetalks::cli::run()
}
