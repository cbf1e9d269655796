//! Asking the CPU for memory before it is read.
//!
//! The shared strings of a workbook with many distinct keys are megabytes, read at
//! random: each lookup of a customer id missed the cache and the thread waited. Asked for
//! a little earlier, the line has arrived when it is read.

/// Asks for the cache line holding `at`. Only a hint: nothing is read that the program
/// sees, and no address can fault.
#[inline]
pub(crate) fn prefetch<T>(at: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch instruction neither faults nor changes what the program sees,
    // whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(at.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}
