//! The calibration set: a CSV file of float samples.
//!
//! One sample per row, values separated by commas. Blank lines and lines starting with `#` are
//! skipped; the first row may be a header (it is one if any of its fields is not a number). Every
//! row must have the same number of values, all finite.

use crate::ImportError;

/// Parses calibration CSV text into samples.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<f64>>, ImportError> {
	let mut samples: Vec<Vec<f64>> = Vec::new();
	let mut first_row = true;
	for (index, line) in text.lines().enumerate() {
		let number = index + 1;
		let line = line.trim();
		if line.is_empty() || line.starts_with('#') {
			continue;
		}
		let fields: Vec<&str> = line.split(',').map(str::trim).collect();
		let parsed: Result<Vec<f64>, _> = fields.iter().map(|f| f.parse::<f64>()).collect();
		let values = match parsed {
			Ok(values) => values,
			Err(_) if first_row => {
				first_row = false;
				continue;
			},
			Err(e) => {
				return Err(ImportError::Calibration(format!("line {number}: {e}: `{line}`")));
			},
		};
		first_row = false;
		if let Some(v) = values.iter().find(|v| !v.is_finite()) {
			return Err(ImportError::Calibration(format!("line {number}: {v} is not finite")));
		}
		if let Some(width) = samples.first().map(Vec::len) {
			if values.len() != width {
				return Err(ImportError::Calibration(format!(
					"line {number} has {} values, the rows before it {width}",
					values.len()
				)));
			}
		}
		samples.push(values);
	}
	if samples.is_empty() {
		return Err(ImportError::Calibration("no samples".into()));
	}
	Ok(samples)
}
