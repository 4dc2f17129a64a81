using System.Runtime.InteropServices;
using Cardinal.Formats.Onnx;
using Cardinal.Testing;
using Microsoft.ML.OnnxRuntime;

namespace Cardinal.Bench;

/// <summary>
/// One <see cref="ConvCase"/> row as a one-node ONNX model run in ONNX Runtime: the peer's kernel on the same
/// convolution, the baseline of <see cref="ConvBenchmarks"/> and of the <c>convs</c> verb. The model is
/// Conv (same weights, bias, pads, strides, dilations, group), then an Add of a second input R (through an
/// identity 1×1 MaxPool, see <see cref="Model"/>) when the row has a residual, then a Relu when it has one: ORT_ENABLE_ALL fuses them back into its convolution (the NCHWc
/// transformer's Conv with a Sum input and an activation, or FusedConv), as it does in the model. Its NCHWc
/// transformer also puts a ReorderInput before and a ReorderOutput after the convolution (and a ReorderInput on
/// R, and R's MaxPool), which a whole model pays only at its ends: a run of this model times the convolution plus those reorders.
/// Inputs and the output are bound once to pinned arrays, so a run allocates nothing on the managed side.
/// </summary>
internal sealed class OrtConv : IDisposable
{
    private readonly Microsoft.ML.OnnxRuntime.InferenceSession _session;
    private readonly Microsoft.ML.OnnxRuntime.SessionOptions _options;
    private readonly RunOptions _runOptions = new();
    private readonly OrtValue[] _inputs, _outputs;
    private readonly string[] _inputNames, _outputNames = ["Y"];

    /// <param name="x">[N][C][spatial], the input.</param>
    /// <param name="residual">Laid out as the output, or empty when the row has none.</param>
    /// <param name="y">The output, [N][M][out spatial].</param>
    /// <param name="profilePrefix">When given, ORT profiles the session into files with this prefix (see <see cref="EndProfiling"/>).</param>
    public OrtConv(ConvCase c, float[] x, float[] weights, float[] bias, float[] residual, float[] y, int threads, string? profilePrefix = null)
    {
        _options = ModelInput.OrtOptions(threads);
        if (profilePrefix is not null)
        {
            _options.ProfileOutputPathPrefix = profilePrefix; // before EnableProfiling, which reads it
            _options.EnableProfiling = true;
        }
        _session = new Microsoft.ML.OnnxRuntime.InferenceSession(Model(c, weights, c.Bias ? bias : null), _options);
        long[] xDims = InputDims(c), yDims = OutputDims(c);
        bool hasResidual = c.Epilogue.Residual;
        _inputNames = hasResidual ? ["X", "R"] : ["X"];
        _inputs = hasResidual
            ? [OrtValue.CreateTensorValueFromMemory(x, xDims), OrtValue.CreateTensorValueFromMemory(residual, yDims)]
            : [OrtValue.CreateTensorValueFromMemory(x, xDims)];
        _outputs = [OrtValue.CreateTensorValueFromMemory(y, yDims)];
    }

    public void Run() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

    /// <summary>Stops profiling and returns the trace's path (only for a session made with a profile prefix).</summary>
    public string EndProfiling() => _session.EndProfiling();

    public void Dispose()
    {
        foreach (var v in _inputs.Concat(_outputs)) v.Dispose();
        _session.Dispose();
        _runOptions.Dispose();
        _options.Dispose();
    }

    /// <summary>The one-node ONNX model of a row: Conv [+ Add MaxPool1×1(R)] [+ Relu], opset 13, weights (and bias) as initializers.</summary>
    public static byte[] Model(ConvCase c, float[] weights, float[]? bias)
    {
        int rank = c.Rank;
        long[] Axes((int D, int H, int W) v) => rank switch { 1 => [v.W], 2 => [v.H, v.W], _ => [v.D, v.H, v.W] };
        var attributes = new[]
        {
            OnnxWriter.IntsAttribute("kernel_shape", Axes(c.Kernel)),
            OnnxWriter.IntsAttribute("strides", Axes(c.Stride)),
            OnnxWriter.IntsAttribute("dilations", Axes(c.Dilation)),
            OnnxWriter.IntsAttribute("pads", [.. Axes(c.PadBegin), .. Axes(c.PadEnd)]),
            OnnxWriter.IntAttribute("group", c.Group),
        };
        long[] wDims = [c.OutChannels, c.Channels / c.Group, .. Axes(c.Kernel)];
        var initializers = new List<ProtoWriter> { OnnxWriter.Tensor("W", OnnxWriter.Float, wDims, raw: MemoryMarshal.AsBytes(weights.AsSpan()).ToArray()) };
        if (bias is not null) initializers.Add(OnnxWriter.Tensor("B", OnnxWriter.Float, [c.OutChannels], raw: MemoryMarshal.AsBytes(bias.AsSpan()).ToArray()));

        var nodes = new List<ProtoWriter>();
        string value = "conv";
        if (!c.Epilogue.Residual && !c.Epilogue.Relu) value = "Y";
        nodes.Add(OnnxWriter.Node("Conv", bias is null ? ["X", "W"] : ["X", "W", "B"], [value], "conv", attributes));
        if (c.Epilogue.Residual)
        {
            // R passes through a 1×1 MaxPool (the identity) so that it reaches the Add in ORT's NCHWc layout, as a
            // residual does in a model: its transformer then fuses the Add into the convolution (Sum input). An Add
            // of a graph input stays a separate NCHW Add after the ReorderOutput.
            nodes.Add(OnnxWriter.Node("MaxPool", ["R"], ["r"], "residual", OnnxWriter.IntsAttribute("kernel_shape", Axes((1, 1, 1)))));
            string sum = c.Epilogue.Relu ? "sum" : "Y";
            nodes.Add(OnnxWriter.Node("Add", [value, "r"], [sum], "add"));
            value = sum;
        }
        if (c.Epilogue.Relu) nodes.Add(OnnxWriter.Node("Relu", [value], ["Y"], "relu"));

        var inputs = new List<ProtoWriter> { OnnxWriter.ValueInfo("X", OnnxWriter.Float, InputDims(c)) };
        if (c.Epilogue.Residual) inputs.Add(OnnxWriter.ValueInfo("R", OnnxWriter.Float, OutputDims(c)));
        return OnnxWriter.Model(13, [.. nodes], [.. initializers], [.. inputs], [OnnxWriter.ValueInfo("Y", OnnxWriter.Float, OutputDims(c))]);
    }

    private static long[] Spatial(ConvCase c, (int D, int H, int W) v) => c.Rank switch { 1 => [v.W], 2 => [v.H, v.W], _ => [v.D, v.H, v.W] };

    public static long[] InputDims(ConvCase c) => [c.Batch, c.Channels, .. Spatial(c, c.Input)];

    public static long[] OutputDims(ConvCase c)
    {
        var w = c.Window;
        return [c.Batch, c.OutChannels, .. Spatial(c, (w.OutD, w.OutH, w.OutW))];
    }
}
