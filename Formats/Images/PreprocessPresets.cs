using Cardinal.Formats.Onnx;
using Cardinal.Tensors;

namespace Cardinal.Formats.Images;

/// <summary>The named pipelines: torchvision's ImageNet transform and what ML.NET's ResNet-18 expects.</summary>
public static class PreprocessPresets
{
    /// <summary>The name of <see cref="ImageNet"/>.</summary>
    public const string ImageNetName = "imagenet";
    /// <summary>The name of <see cref="MlNetResNet18"/>.</summary>
    public const string MlNetResNet18Name = "mlnet-resnet18";

    /// <summary>
    /// torchvision's ImageNet evaluation transform: Resize(256) (bilinear, antialiased), CenterCrop(224),
    /// ToTensor (÷255), Normalize(mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225)).
    /// </summary>
    public static PreprocessOptions ImageNet { get; } = new()
    {
        Name = ImageNetName,
        ResizeShorterSide = 256,
        CropWidth = 224,
        CropHeight = 224,
        Scale = 1f / 255f,
        Mean = [0.485f, 0.456f, 0.406f],
        Std = [0.229f, 0.224f, 0.225f],
    };

    /// <summary>
    /// What the ML.NET ResNet-18 expects, read from its companion ResNetPreprocess.onnx: that graph takes
    /// RGB planes of 0–255 values (ML.NET's pixel extractor: no scaling), splits them, concatenates them
    /// as B, G, R, and subtracts a per-pixel MeanImage. ML.NET resizes with IsoCrop to 224×224, which is
    /// shorter side 224 then a center crop.
    /// </summary>
    public static PreprocessOptions MlNetResNet18(string companionPath)
    {
        OnnxModel model = OnnxModel.Load(companionPath);
        string[] ops = model.Graph.Nodes.Select(n => n.OpType).ToArray();
        if (!ops.SequenceEqual(["Split", "Concat", "Sub"]))
            throw new ModelFormatException($"{companionPath}: expected the Split→Concat→Sub preprocessing graph, found {string.Join("→", ops)}.");
        OnnxNode concat = model.Graph.Nodes[1], split = model.Graph.Nodes[0];
        // Concat lists the split outputs in reverse: R, G, B planes in, B, G, R out.
        if (!concat.Inputs.SequenceEqual(split.Outputs.AsEnumerable().Reverse()))
            throw new ModelFormatException($"{companionPath}: the channel reorder is not RGB→BGR.");
        OnnxTensor meanProto = model.Graph.Initializers.SingleOrDefault(i => i.Name == model.Graph.Nodes[2].Inputs[1])
            ?? throw new ModelFormatException($"{companionPath}: no mean image initializer.");
        Tensor mean = OnnxTensorConverter.ToTensor(meanProto, model.BaseDirectory, "mean image");
        if (!mean.Dims.SequenceEqual([1, 3, 224, 224]))
            throw new ModelFormatException($"{companionPath}: mean image has shape {mean}, expected [1,3,224,224].");
        return new PreprocessOptions
        {
            Name = MlNetResNet18Name,
            ResizeShorterSide = 224,
            CropWidth = 224,
            CropHeight = 224,
            Scale = 1f,
            Order = ChannelOrder.Bgr,
            MeanImage = mean.Floats.ToArray(),
        };
    }
}
