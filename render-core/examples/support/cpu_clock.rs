//! Process CPU time, so benchmark rates can also be stated per CPU-second: on a machine shared
//! with other work, wall time measures the neighbours as much as the code.

use std::time::Duration;

/// CPU time used by all threads of this process so far.
pub fn process_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant Linux defines.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}
