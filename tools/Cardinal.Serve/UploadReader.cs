using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Cardinal.Serve;

/// <summary>An upload refused before decoding, with the HTTP status to answer (413 too large, 415 wrong type, 400 malformed).</summary>
public sealed class UploadException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// Reads the image from a request: the raw body (any image/* type, or application/octet-stream) or the
/// first file of a multipart/form-data form. The size limit is checked against Content-Length before
/// anything is read, and again while reading, so a lying or chunked client cannot push past it.
/// </summary>
public static class UploadReader
{
    public static async Task<byte[]> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellation)
    {
        if (request.ContentLength is long declared && declared > maxBytes + MultipartAllowance(request))
            throw new UploadException(StatusCodes.Status413PayloadTooLarge, $"The upload is {declared} bytes; the limit is {maxBytes}.");
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || type.MediaType.Value is not string media)
            throw new UploadException(StatusCodes.Status415UnsupportedMediaType, "Send the image as the body (Content-Type image/* or application/octet-stream) or as a multipart/form-data file.");

        if (media.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            IFormCollection form;
            try { form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = maxBytes + MultipartAllowance(request) }, cancellation); }
            catch (InvalidDataException e) { throw new UploadException(e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest, $"The form could not be read: {e.Message}"); }
            IFormFile file = form.Files.FirstOrDefault() ?? throw new UploadException(StatusCodes.Status400BadRequest, "The form holds no file.");
            if (file.Length > maxBytes) throw new UploadException(StatusCodes.Status413PayloadTooLarge, $"The file is {file.Length} bytes; the limit is {maxBytes}.");
            var bytes = new byte[file.Length];
            await using var stream = file.OpenReadStream();
            await stream.ReadExactlyAsync(bytes, cancellation);
            return bytes;
        }
        if (!media.StartsWith("image/", StringComparison.OrdinalIgnoreCase) && !media.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase))
            throw new UploadException(StatusCodes.Status415UnsupportedMediaType, $"Content-Type {media} is not an image; send image/* or application/octet-stream, or a multipart/form-data file.");
        return await ReadBodyAsync(request.Body, maxBytes, cancellation);
    }

    /// <summary>Room for a form's boundaries and headers around the file itself.</summary>
    private static long MultipartAllowance(HttpRequest request) =>
        request.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) == true ? 64 * 1024 : 0;

    private static async Task<byte[]> ReadBodyAsync(Stream body, long maxBytes, CancellationToken cancellation)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellation)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw new UploadException(StatusCodes.Status413PayloadTooLarge, $"The upload is larger than the {maxBytes}-byte limit.");
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0) throw new UploadException(StatusCodes.Status400BadRequest, "The request has no body: send an image.");
        return buffer.ToArray();
    }
}
