//! Frames: a `u32` little-endian length, then that many bytes of SCALE.
//!
//! The length is checked against [`MAX_FRAME`] before anything is allocated for the frame, and
//! the body is read into a buffer that grows with what actually arrives: a peer that claims
//! 128 MiB and sends ten bytes costs ten bytes, not 128 MiB.

use codec::{Decode, DecodeAll, Encode};
use std::io::{self, Read, Write};

/// The largest frame, in bytes (128 MiB): enough for a model file in a
/// [`Request::LoadModel`](crate::Request::LoadModel).
pub const MAX_FRAME: u32 = 128 << 20;

/// The buffer a frame's body starts in; it grows as the body arrives.
const INITIAL_BUFFER: usize = 64 << 10;

/// Why a frame could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
	/// The peer closed the connection between frames (the normal end of a connection).
	#[error("the connection was closed")]
	Closed,
	/// The length is above the cap; nothing of the body was read.
	#[error("a frame of {len} bytes is longer than the cap of {cap} bytes")]
	TooLarge { len: u64, cap: u32 },
	/// The connection ended inside a frame.
	#[error("the connection ended inside a frame ({got} of {expected} bytes)")]
	Truncated { expected: u64, got: u64 },
	/// Reading or writing failed (a timeout among others).
	#[error("{0}")]
	Io(#[from] io::Error),
	/// The frame was read whole but is not a SCALE message of the expected type (or bytes
	/// follow it). The connection is still in step: the next frame can be read.
	#[error("not a valid message: {0}")]
	Undecodable(codec::Error),
}

/// Writes `message` as one frame, and flushes. A message longer than [`MAX_FRAME`] is refused
/// before anything is written.
pub fn write_frame(w: &mut impl Write, message: &impl Encode) -> Result<(), FrameError> {
	write_frame_capped(w, message, MAX_FRAME)
}

pub(crate) fn write_frame_capped(
	w: &mut impl Write,
	message: &impl Encode,
	cap: u32,
) -> Result<(), FrameError> {
	// Header and body in one buffer and one write: no small write for Nagle to hold back.
	let mut buf = Vec::with_capacity(4 + message.size_hint());
	buf.extend_from_slice(&[0; 4]);
	message.encode_to(&mut buf);
	let len = buf.len() - 4;
	let header = match u32::try_from(len) {
		Ok(len) if len <= cap => len.to_le_bytes(),
		_ => return Err(FrameError::TooLarge { len: len as u64, cap }),
	};
	if let Some(slot) = buf.get_mut(..4) {
		slot.copy_from_slice(&header);
	}
	w.write_all(&buf)?;
	w.flush()?;
	Ok(())
}

/// Reads one frame's body. [`FrameError::Closed`] if the peer closed the connection before a
/// frame began; [`FrameError::TooLarge`] (before reading any of the body) if the length is above
/// [`MAX_FRAME`].
pub fn read_frame_bytes(r: &mut impl Read) -> Result<Vec<u8>, FrameError> {
	read_frame_bytes_capped(r, MAX_FRAME)
}

pub(crate) fn read_frame_bytes_capped(r: &mut impl Read, cap: u32) -> Result<Vec<u8>, FrameError> {
	let mut header = [0u8; 4];
	let mut got = 0;
	while got < header.len() {
		let rest = header.get_mut(got..).unwrap_or_default();
		match r.read(rest) {
			Ok(0) if got == 0 => return Err(FrameError::Closed),
			Ok(0) => return Err(FrameError::Truncated { expected: 4, got: got as u64 }),
			Ok(n) => got += n,
			Err(e) if e.kind() == io::ErrorKind::Interrupted => {},
			Err(e) => return Err(e.into()),
		}
	}
	let len = u32::from_le_bytes(header);
	if len > cap {
		return Err(FrameError::TooLarge { len: len.into(), cap });
	}
	let mut body = Vec::with_capacity((len as usize).min(INITIAL_BUFFER));
	r.take(len.into()).read_to_end(&mut body)?;
	if body.len() != len as usize {
		return Err(FrameError::Truncated { expected: len.into(), got: body.len() as u64 });
	}
	Ok(body)
}

/// Reads one frame and decodes it as a `T`, the whole body and nothing after it.
pub fn read_frame<T: Decode>(r: &mut impl Read) -> Result<T, FrameError> {
	let body = read_frame_bytes(r)?;
	T::decode_all(&mut body.as_slice()).map_err(FrameError::Undecodable)
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::{ModelFormat, Reply, Request, SamplingParams};
	use std::{
		alloc::{GlobalAlloc, Layout, System},
		cell::Cell,
		io::Cursor,
	};

	fn round_trip<T: Encode + Decode + PartialEq + std::fmt::Debug>(message: T) {
		let mut wire = Vec::new();
		write_frame(&mut wire, &message).unwrap();
		assert_eq!(wire[..4], ((wire.len() - 4) as u32).to_le_bytes());
		let mut cursor = Cursor::new(wire);
		assert_eq!(read_frame::<T>(&mut cursor).unwrap(), message);
		assert!(matches!(read_frame::<T>(&mut cursor), Err(FrameError::Closed)));
	}

	#[test]
	fn every_message_round_trips() {
		let sampling = SamplingParams { top_k: 3, inv_temperature_q16: 1 << 16 };
		for request in [
			Request::Hello,
			Request::Attest { user_data: [7; 32], nonce: b"nonce".to_vec() },
			Request::LoadModel { id: [1; 32], format: ModelFormat::Kernel, bytes: vec![9; 1000] },
			Request::LoadModel { id: [2; 32], format: ModelFormat::Onnx, bytes: vec![] },
			Request::Run { task: u64::MAX, model: [3; 32], input: vec![-128, 0, 127], sampling },
		] {
			round_trip(request);
		}
		for reply in [
			Reply::Hello { version: crate::VERSION, public_key: [4; 32], simulated: true },
			Reply::Attestation { document: vec![0xd2; 4500] },
			Reply::Loaded,
			Reply::Result { output: [5; 32], top: vec![2, 0, 1], signature: [6; 64] },
			Reply::Error("no such model".into()),
		] {
			round_trip(reply);
		}
	}

	#[test]
	fn a_length_above_the_cap_is_refused_before_the_body() {
		for len in [MAX_FRAME + 1, u32::MAX] {
			// A body that would be read if the cap were not checked first.
			let mut wire = len.to_le_bytes().to_vec();
			wire.extend_from_slice(&[0; 16]);
			let mut cursor = Cursor::new(wire);
			let err = read_frame_bytes(&mut cursor).unwrap_err();
			assert!(
				matches!(err, FrameError::TooLarge { len: l, cap: MAX_FRAME } if l == len as u64)
			);
			assert_eq!(cursor.position(), 4, "nothing after the header is read");
		}
		// The cap itself is allowed (here truncated: it is read, not refused).
		let mut cursor = Cursor::new(MAX_FRAME.to_le_bytes().to_vec());
		assert!(matches!(
			read_frame_bytes(&mut cursor),
			Err(FrameError::Truncated { expected, got: 0 }) if expected == MAX_FRAME as u64
		));
	}

	#[test]
	fn an_oversized_message_is_not_written() {
		let mut wire = Vec::new();
		let err = write_frame_capped(&mut wire, &vec![0u8; 100], 50).unwrap_err();
		assert!(matches!(err, FrameError::TooLarge { len: 102, cap: 50 }), "{err}");
		assert!(wire.is_empty());
	}

	#[test]
	fn truncated_empty_and_undecodable_frames() {
		let mut cursor = Cursor::new(vec![1u8, 0]);
		assert!(matches!(
			read_frame_bytes(&mut cursor),
			Err(FrameError::Truncated { expected: 4, got: 2 })
		));
		let mut cursor = Cursor::new(vec![10u8, 0, 0, 0, 1, 2, 3]);
		assert!(matches!(
			read_frame_bytes(&mut cursor),
			Err(FrameError::Truncated { expected: 10, got: 3 })
		));
		// An empty frame is a frame; it is no request.
		let mut cursor = Cursor::new(vec![0u8, 0, 0, 0]);
		assert!(matches!(read_frame::<Request>(&mut cursor), Err(FrameError::Undecodable(_))));
		// No such variant; then a valid frame after it is still read.
		let mut wire = vec![1u8, 0, 0, 0, 9];
		write_frame(&mut wire, &Request::Hello).unwrap();
		let mut cursor = Cursor::new(wire);
		assert!(matches!(read_frame::<Request>(&mut cursor), Err(FrameError::Undecodable(_))));
		assert_eq!(read_frame::<Request>(&mut cursor).unwrap(), Request::Hello);
		// Bytes after a whole message.
		let mut cursor = Cursor::new(vec![2u8, 0, 0, 0, 0, 0]);
		assert!(matches!(read_frame::<Request>(&mut cursor), Err(FrameError::Undecodable(_))));
		// A vector whose SCALE length claims more than the frame holds.
		let mut body = vec![2u8];
		body.extend_from_slice(&[0; 32]);
		body.push(0);
		body.extend_from_slice(&[0xff, 0xff, 0xff, 0x3f]);
		let mut wire = (body.len() as u32).to_le_bytes().to_vec();
		wire.extend_from_slice(&body);
		assert!(matches!(
			read_frame::<Request>(&mut Cursor::new(wire)),
			Err(FrameError::Undecodable(_))
		));
	}

	// Counts this thread's allocations (tests run on threads of their own), to show that what a
	// frame costs is what arrives, not what its header claims.
	struct Counting;
	thread_local! {
		static ALLOCATED: Cell<usize> = const { Cell::new(0) };
	}
	unsafe impl GlobalAlloc for Counting {
		unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
			let _ = ALLOCATED.try_with(|a| a.set(a.get() + layout.size()));
			unsafe { System.alloc(layout) }
		}
		unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
			unsafe { System.dealloc(ptr, layout) }
		}
		unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
			let _ = ALLOCATED.try_with(|a| a.set(a.get() + new_size));
			unsafe { System.realloc(ptr, layout, new_size) }
		}
	}
	#[global_allocator]
	static GLOBAL: Counting = Counting;

	#[test]
	fn a_frame_costs_what_arrives_not_what_it_claims() {
		let mut wire = MAX_FRAME.to_le_bytes().to_vec();
		wire.extend_from_slice(&[0; 10]);
		let mut cursor = Cursor::new(wire);
		let before = ALLOCATED.with(Cell::get);
		assert!(matches!(
			read_frame_bytes(&mut cursor),
			Err(FrameError::Truncated { got: 10, .. })
		));
		let allocated = ALLOCATED.with(Cell::get) - before;
		assert!(allocated <= 2 * INITIAL_BUFFER, "{allocated} bytes allocated");

		let mut cursor = Cursor::new(u32::MAX.to_le_bytes().to_vec());
		let before = ALLOCATED.with(Cell::get);
		assert!(matches!(read_frame_bytes(&mut cursor), Err(FrameError::TooLarge { .. })));
		assert_eq!(ALLOCATED.with(Cell::get) - before, 0);
	}
}
