//! # The AOS kernel as a wasm module
//!
//! Exports `aos_alloc(len) -> ptr`, for the host to place a request in the module's memory, and
//! `aos_evaluate(ptr, len) -> u64`, which runs `aos_kernel::abi::run_encoded` on it and returns
//! the reply's `ptr << 32 | len`. An instance serves one request: memory is a bump arena that
//! is never freed, and the host makes a fresh instance for the next one.
//!
//! The kernel is integer-only, so the module uses no floating point; the host still runs it
//! with NaN canonicalization and without threads or relaxed SIMD (see aos-sandbox).

#![no_std]

extern crate alloc;

use core::alloc::{GlobalAlloc, Layout};

/// A bump allocator over memory the module grows as it needs.
struct Bump;

static mut NEXT: usize = 0;
static mut END: usize = 0;
/// Where the newest allocation starts: it may grow in place.
static mut LAST: usize = 0;

const PAGE: usize = 65_536;

/// Makes `NEXT .. end` usable, growing memory if needed.
///
/// # Safety
/// Single-threaded use only, as everything touching the statics.
unsafe fn reserve(end: usize) -> bool {
	unsafe {
		if end > END {
			let pages = (end - END).div_ceil(PAGE);
			if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
				return false;
			}
			END += pages * PAGE;
		}
		true
	}
}

unsafe impl GlobalAlloc for Bump {
	unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
		// SAFETY: the module is single-threaded; the statics are only touched here.
		unsafe {
			if NEXT == 0 {
				// Allocate above the initial memory (data and stack); only this grows it.
				NEXT = core::arch::wasm32::memory_size(0) * PAGE;
				END = NEXT;
			}
			let start = (NEXT + layout.align() - 1) & !(layout.align() - 1);
			let Some(end) = start.checked_add(layout.size()) else { return core::ptr::null_mut() };
			if !reserve(end) {
				return core::ptr::null_mut();
			}
			NEXT = end;
			LAST = start;
			start as *mut u8
		}
	}

	unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}

	/// The newest allocation grows in place (a Vec being filled, as when SCALE decodes a
	/// model's weights in chunks): no copy, and no memory left behind for the host to fault in.
	unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
		// SAFETY: single-threaded; `ptr` came from `alloc` with `layout`.
		unsafe {
			if ptr as usize == LAST && LAST != 0 {
				let Some(end) = LAST.checked_add(new_size) else { return core::ptr::null_mut() };
				if !reserve(end) {
					return core::ptr::null_mut();
				}
				NEXT = end;
				return ptr;
			}
			let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
			if !new.is_null() {
				core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
			}
			new
		}
	}
}

#[global_allocator]
static ALLOCATOR: Bump = Bump;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
	core::arch::wasm32::unreachable()
}

/// Room for a request of `len` bytes.
#[no_mangle]
pub extern "C" fn aos_alloc(len: u32) -> u32 {
	let layout = Layout::from_size_align(len.max(1) as usize, 8).unwrap_or(Layout::new::<u64>());
	// SAFETY: the layout is non-zero.
	unsafe { ALLOCATOR.alloc(layout) as u32 }
}

/// Runs the SCALE request at `ptr .. ptr + len`; returns the reply's `ptr << 32 | len`.
#[no_mangle]
pub extern "C" fn aos_evaluate(ptr: u32, len: u32) -> u64 {
	// SAFETY: the host wrote `len` bytes at `ptr`, which `aos_alloc` returned.
	let request = unsafe { core::slice::from_raw_parts(ptr as *const u8, len as usize) };
	let reply = aos_kernel::abi::run_encoded(request);
	let out = (reply.as_ptr() as u64) << 32 | reply.len() as u64;
	core::mem::forget(reply);
	out
}
