using Cardinal;
using Cardinal.Cli;
using Cardinal.Cli.Commands;

// cardinal: inspect, run and verify ONNX models with Cardinal's CPU engine.
// Exit codes: 0 success, 1 verify mismatch, 2 bad arguments or input files, 3 internal error.
return Cli.Execute(args, Console.Out, Console.Error);

namespace Cardinal.Cli
{
    public static class Cli
    {
        public const int Ok = 0, Mismatch = 1, BadInput = 2, InternalError = 3;

        public const string Usage = """
            usage: cardinal <command> [options]

              inspect [MODEL]                      inputs, outputs, operators, parameters, FLOPs, plan
              run     [--model M] [--input [NAME=]X.npy]... [--output [NAME=]Y.npy]... [--threads N] [--seed S]
              verify  [--model M] --input [NAME=]X.npy... --expected [NAME=]Y.npy... [--rtol 1e-3] [--atol 1e-4] [--threads N]

            MODEL defaults to the bundled ImageNet-pretrained ResNet-18 (models/resnet18-mlnet.onnx).
            run without --input feeds a seeded standard-normal input of the model's shape.
            exit codes: 0 ok, 1 verify mismatch, 2 bad arguments or files, 3 internal error
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
                    _ => throw new UsageException($"unknown command '{args[0]}' (try: inspect, run, verify)"),
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
