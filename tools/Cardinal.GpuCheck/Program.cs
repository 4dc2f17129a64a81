using Cardinal.GpuCheck;

// cardinal-gpu-check [--device cuda|opencl|ilgpu-cpu] [--models a,b] [--out FILE] [--skip-timing]
//   checks every full-size zoo architecture on the device against the CPU path, then times ResNet-50/ResNeXt-50.
// cardinal-gpu-check generate NAME FILE
//   writes one zoo architecture as ONNX with random weights (for machines without Python).
if (args.Length == 3 && args[0] == "generate")
{
    File.WriteAllBytes(args[2], ResNetBuilder.Build(ResNetBuilder.Zoo.Single(a => a.Name == args[1])));
    return 0;
}
return GpuCheckRunner.Run(args);
