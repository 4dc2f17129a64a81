using Cardinal;
using Cardinal.Cli;
using Cardinal.Cli.Commands;

// cardinal: inspect, run and verify ONNX models; embed, rank and classify images — with Cardinal's CPU engine.
// Exit codes: 0 success, 1 verify mismatch, 2 bad arguments or input files, 3 internal error, 4 some images failed.
return Cli.Execute(args, Console.Out, Console.Error);

namespace Cardinal.Cli
{
    public static class Cli
    {
        public const int Ok = 0, Mismatch = 1, BadInput = 2, InternalError = 3, SomeImagesFailed = 4;

        public const string Usage = """
            usage: cardinal <command> [options]

              inspect [MODEL] [--device D]         inputs, outputs, operators, parameters, FLOPs, plan
              devices                              what ILGPU sees (CUDA, OpenCL, its CPU accelerator)
              bench   [--model M] [--batch B] [--threads N] [--runs R] [--warmup W] [--device D] [--json]
              run     [--model M] [--input [NAME=]X.npy]... [--output [NAME=]Y.npy]... [--threads N] [--seed S]
              verify  [--model M] [--input [NAME=]X.npy]... --expected [NAME=]Y.npy... [--rtol 1e-3] [--atol 1e-4] [--threads N]
              embed   IMAGES...|DIR [--model M] [--preset P] [--out emb.npy | --json] [--threads N] [--decode-ahead 1]
              embed   SRC... --out-dir DIR [--shard-size 1000] [--recursive] [--files-from LIST|-] [--json]
                                                   resumable shards: part-00000.npy/.files.txt/.errors.txt
              index build PARTS... --out INDEX [--model-id ID]     a vector index from embed shards
              index query INDEX IMAGE...|--vectors Q.npy [--top 10] [--json] [model options]
              index dups  INDEX [--threshold 0.95] [--json]      near-duplicate groups
              silo    [--redis HOST:PORT] [--advertise IP] [--silo-port 11111] [--gateway-port 30000] [--threads N] [--fast-failover]
                                                   a cluster worker; `embed ... --out-dir DIR --cluster HOST:PORT` submits to it
              similar QUERY DIR|INDEX [--top 10] [--model M] [--preset P] [--json] [--no-cache]
              classify --model M IMAGES...|DIR [--labels L.txt] [--preset imagenet] [--top 5] [--json]
              loadtest --url URL --image FILE [--endpoint embed|classify] [--concurrency 8] [--requests 200]
                       [--rate R] [--corrupt 0.2] [--disconnect 0.1] [--seed S] [--json]   load a running cardinal-serve

            MODEL defaults to the bundled ImageNet-pretrained ResNet-18 (models/resnet18-mlnet.onnx).
            --device cpu|cuda|opencl|ilgpu-cpu|auto on every model command (default cpu); a missing device is an
            error (exit 2), never a silent fallback, except auto (CUDA, then OpenCL, else cpu).
            run without --input feeds a seeded standard-normal input of the model's shape; verify needs an --input
            per model input. A model without inputs (a lone Constant) runs and verifies with none.
            presets: mlnet-resnet18 (the default model's), imagenet (torchvision's; the default for --model).
            image options: --enable-gif (first frame), --enable-tiff; both formats are off by default.
            exit codes: 0 ok, 1 verify mismatch (loadtest: an answer differed or a request failed),
                        2 bad arguments or files, 3 internal error,
                        4 some images could not be read (the others were processed; failures listed on stderr)
            """;

        public static int Execute(string[] args, TextWriter stdout, TextWriter stderr)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                (args.Length == 0 ? stderr : stdout).WriteLine(Usage);
                return args.Length == 0 ? BadInput : Ok;
            }
            try
            {
                return args[0] switch
                {
                    "inspect" => InspectCommand.Run(args[1..], stdout),
                    "run" => RunCommand.Run(args[1..], stdout, stderr),
                    "verify" => VerifyCommand.Run(args[1..], stdout),
                    "embed" => EmbedCommand.Run(args[1..], stdout, stderr),
                    "similar" => SimilarCommand.Run(args[1..], stdout, stderr),
                    "classify" => ClassifyCommand.Run(args[1..], stdout, stderr),
                    "devices" => DevicesCommand.Run(args[1..], stdout),
                    "bench" => BenchCommand.Run(args[1..], stdout, stderr),
                    "loadtest" => LoadTestCommand.Run(args[1..], stdout, stderr),
                    "index" => IndexCommand.Run(args[1..], stdout, stderr),
                    "silo" => SiloCommand.Run(args[1..], stdout, stderr),
                    _ => throw new UsageException($"unknown command '{args[0]}' (try: inspect, run, verify, embed, similar, classify, devices, bench, loadtest, index, silo)"),
                };
            }
            catch (UsageException e) { return Fail(stderr, e.Message, BadInput); }
            catch (CardinalException e) { return Fail(stderr, e.Message, BadInput); }
            catch (IOException e) { return Fail(stderr, e.Message, BadInput); }
            catch (UnauthorizedAccessException e) { return Fail(stderr, e.Message, BadInput); }
            catch (OutOfMemoryException) { return Fail(stderr, "out of memory", InternalError); }
            catch (Exception e) { return Fail(stderr, $"internal error: {e.GetType().Name}: {e.Message}", InternalError); }
        }

        private static int Fail(TextWriter stderr, string message, int code)
        {
            stderr.WriteLine($"cardinal: {message.ReplaceLineEndings(" ")}");
            return code;
        }
    }
}
