namespace Afml.Core.Agent.Sb3;

/// <summary>The outcome of turning <c>modelo.zip</c> into ONNX: where the ONNX is, the zip's SHA-256 it was built
/// from, and whether it was (re)built now or an up-to-date cache was reused.</summary>
public sealed record ModelConversion(string ZipPath, string OnnxPath, string Sha256, bool Rebuilt);
