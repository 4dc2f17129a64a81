using System.CommandLine;

namespace Cardinal.Cli.CommandLine;

/// <summary>
/// The options several verbs share, declared once so that they read the same in every verb's help. Each call
/// makes a new instance (a System.CommandLine symbol belongs to the command it is added to). Values stay
/// strings where the verb's own code checks them (ranges, device names) and words its errors.
/// </summary>
internal static class CommonOptions
{
    public static readonly string[] DeviceNames = ["cpu", "cuda", "opencl", "ilgpu-cpu", "auto"];
    public static readonly string[] PresetNames = ["imagenet", "mlnet-resnet18"];

    /// <summary>--model M: an ONNX file; "default" or nothing is the bundled ResNet-18.</summary>
    public static Option<string> Model(string? description = null) => new("--model")
    {
        HelpName = "MODEL",
        Description = description ?? "ONNX model file [default: the bundled ResNet-18, models/resnet18-mlnet.onnx]",
    };

    /// <summary>--device D: where the model runs; a missing device is an error, never a silent fallback (except auto).</summary>
    public static Option<string> Device() => Completing(new Option<string>("--device")
    {
        HelpName = "DEVICE",
        Description = "cpu, cuda, opencl, ilgpu-cpu, or auto (CUDA, then OpenCL, else cpu) [default: cpu]",
    }, DeviceNames);

    /// <summary>--threads N: the CPU kernels' threads.</summary>
    public static Option<string> Threads() => new("--threads")
    {
        HelpName = "N",
        Description = "CPU kernel threads, 1–1024 [default: the processor count]",
    };

    /// <summary>--exact: the CPU kernels' exact mode (no Winograd), results within a few ulps of direct summation.</summary>
    public static Option<bool> Exact() => new("--exact")
    {
        Description = "direct convolution everywhere (no Winograd): results within a few ulps of direct summation; " +
                      "CARDINAL_WINOGRAD=off does the same",
    };

    /// <summary>--preset P: the image preprocessing.</summary>
    public static Option<string> Preset() => Completing(new Option<string>("--preset")
    {
        HelpName = "PRESET",
        Description = "preprocessing: imagenet (torchvision's) or mlnet-resnet18 (the bundled model's) " +
                      "[default: mlnet-resnet18 for the bundled model, imagenet for --model]",
    }, PresetNames);

    /// <summary>--json: machine-readable output on stdout.</summary>
    public static Option<bool> Json(string description = "print JSON on stdout instead of text") => new("--json") { Description = description };

    /// <summary>The image decoder's opt-in formats (off by default: most published ImageSharp advisories were in GIF).</summary>
    public static IEnumerable<Option> ImageFormats() =>
    [
        new Option<bool>("--enable-gif") { Description = "decode GIF (first frame only); off by default" },
        new Option<bool>("--enable-tiff") { Description = "decode TIFF; off by default" },
    ];

    /// <summary>Every option the image jobs (embed, similar, classify) take besides their own.</summary>
    public static IEnumerable<Option> ImageJob(string? modelDescription = null) =>
        [Model(modelDescription), Preset(), Threads(), Device(), Exact(), DecodeAhead(), .. ImageFormats()];

    /// <summary>--decode-ahead N: decoded chunks that may wait for the model while it runs (0 alternates decoding and inference).</summary>
    public static Option<string> DecodeAhead() => new("--decode-ahead")
    {
        HelpName = "N",
        Description = "decoded chunks of images that may wait for the model, 0–16; 0 alternates decoding and inference [default: 1]",
    };

    /// <summary>Everything that opens a model and runs it: --model, --threads, --device, --exact.</summary>
    public static IEnumerable<Option> ModelRun() => [Model(), Threads(), Device(), Exact()];

    /// <summary>IMAGES…: files or folders of images (read in sorted order, not recursively).</summary>
    public static Argument<string[]> Images() => new("IMAGES")
    {
        Description = "image files or folders of .jpg/.png/.bmp/.webp images (a folder is read in sorted order, not recursively)",
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>Offers these words for shell completion without refusing others: the verb's code words the error.</summary>
    private static Option<string> Completing(Option<string> option, string[] words)
    {
        option.CompletionSources.Add(words);
        return option;
    }

    /// <summary>Adds options and arguments to a command (collection initialisers take one symbol at a time).</summary>
    public static Command With(this Command command, IEnumerable<Symbol> symbols)
    {
        foreach (Symbol s in symbols)
            switch (s)
            {
                case Option o: command.Options.Add(o); break;
                case Argument a: command.Arguments.Add(a); break;
                default: throw new ArgumentException($"cannot add {s.GetType().Name} '{s.Name}' to a command", nameof(symbols));
            }
        return command;
    }
}
