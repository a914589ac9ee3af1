//! `aos-model-import`: quantizes a float ONNX MLP into an AOS kernel model file (`.aosm`) and its
//! sidecar (`model.json`). See the library's documentation for what it accepts and how it
//! quantizes.

use std::{
	path::{Path, PathBuf},
	process::ExitCode,
};

use anyhow::{Context, Result};
use aos_model_import::{calibration, import, ImportOptions, OnnxSource, DEFAULT_MIN_AGREEMENT};
use clap::Parser;

/// Quantize a float ONNX MLP (Gemm / MatMul + Add layers, Relu or Clip(0, c) between them) into
/// an AOS kernel model.
#[derive(Parser, Debug)]
#[command(name = "aos-model-import", version)]
struct Cli {
	/// The float ONNX model.
	onnx: PathBuf,
	/// Calibration samples: a CSV file, one float sample per row (an optional header row).
	#[arg(long, value_name = "FILE")]
	calibration: PathBuf,
	/// Where to write the model file.
	#[arg(long, value_name = "FILE")]
	out: PathBuf,
	/// Where to write the sidecar [default: model.json next to --out].
	#[arg(long, value_name = "FILE")]
	meta: Option<PathBuf>,
	/// Class labels in logit order, comma-separated.
	#[arg(long, value_delimiter = ',', conflicts_with = "labels_file")]
	labels: Option<Vec<String>>,
	/// Class labels in logit order, one per line.
	#[arg(long, value_name = "FILE")]
	labels_file: Option<PathBuf>,
	/// Fail if the quantized model picks the float model's class on fewer calibration samples
	/// than this fraction.
	#[arg(long, default_value_t = DEFAULT_MIN_AGREEMENT)]
	min_agreement: f64,
}

fn read_labels(path: &Path) -> Result<Vec<String>> {
	let text =
		std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
	Ok(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect())
}

fn main() -> ExitCode {
	match run(Cli::parse()) {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			// The whole chain on one line, without a backtrace: the errors carry their context.
			eprintln!("error: {e:#}");
			ExitCode::FAILURE
		},
	}
}

fn run(cli: Cli) -> Result<()> {
	let labels = match (&cli.labels, &cli.labels_file) {
		(Some(labels), _) => Some(labels.iter().map(|l| l.trim().to_string()).collect()),
		(None, Some(path)) => Some(read_labels(path)?),
		(None, None) => None,
	};
	let source =
		OnnxSource::from_path(&cli.onnx).with_context(|| format!("in {}", cli.onnx.display()))?;
	let text = std::fs::read_to_string(&cli.calibration)
		.with_context(|| format!("reading {}", cli.calibration.display()))?;
	let samples = calibration::parse_csv(&text)
		.with_context(|| format!("in {}", cli.calibration.display()))?;

	let imported =
		import(&source, &samples, &ImportOptions { labels, min_agreement: cli.min_agreement })
			.with_context(|| format!("importing {}", cli.onnx.display()))?;

	let meta_path = cli.meta.clone().unwrap_or_else(|| cli.out.with_file_name("model.json"));
	std::fs::write(&cli.out, &imported.file)
		.with_context(|| format!("writing {}", cli.out.display()))?;
	std::fs::write(&meta_path, imported.meta.to_json()?)
		.with_context(|| format!("writing {}", meta_path.display()))?;

	let meta = &imported.meta;
	let shapes: Vec<String> = std::iter::once(meta.inputs.to_string())
		.chain(meta.layers.iter().map(|l| l.outputs.to_string()))
		.collect();
	println!("model        {} ({} bytes)", cli.out.display(), imported.file.len());
	println!("sidecar      {}", meta_path.display());
	println!("layers       {}", shapes.join(" -> "));
	println!("input scale  {:e}", meta.input_scale);
	for (i, (layer, q)) in imported.model.layers.iter().zip(&meta.layers).enumerate() {
		println!("  layer {i}    {:?}, weight scale {:e}", layer.output, q.weight_scale);
	}
	println!("content hash {}", meta.content_hash);
	println!("commitment   {}", meta.model_commitment);
	println!("float check  max relative gap to tract {:e}", imported.float_deviation);
	println!(
		"agreement    {}/{} = {:.4} (kernel argmax vs tract float argmax on the calibration set)",
		meta.agreement.matching, meta.agreement.samples, meta.agreement.fraction
	);
	Ok(())
}
