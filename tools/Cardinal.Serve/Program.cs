using Cardinal.Serve;

// dotnet run -c Release --project tools/Cardinal.Serve -- --urls http://127.0.0.1:8080 [--model M.onnx] [--threads 2]
//   [--max-batch 4] [--max-wait-ms 2] [--queue 32] [--max-upload-bytes 16777216] [--preset imagenet|mlnet-resnet18]
try
{
    await ServeApp.Build(args).RunAsync();
    return 0;
}
catch (Exception e) when (e is ArgumentException or FileNotFoundException or Cardinal.CardinalException)
{
    Console.Error.WriteLine($"cardinal-serve: {e.Message}");
    return 2;
}
