using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Cardinal.Serve;

/// <summary>An upload refused before decoding, with the HTTP status to answer (413 too large, 415 wrong type, 400 malformed).</summary>
public sealed class UploadException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>An upload's bytes in a pooled buffer; dispose to give the buffer back.</summary>
public sealed class Upload(byte[] buffer, int length) : IDisposable
{
    private byte[]? _buffer = buffer;
    public ReadOnlyMemory<byte> Bytes => _buffer is { } b ? b.AsMemory(0, length) : throw new ObjectDisposedException(nameof(Upload));

    public void Dispose()
    {
        if (_buffer is { } b) System.Buffers.ArrayPool<byte>.Shared.Return(b);
        _buffer = null;
    }
}

/// <summary>
/// Reads the image from a request: the raw body (any image/* type, or application/octet-stream) or the
/// first file of a multipart/form-data form. The size limit is checked against Content-Length before
/// anything is read, and again while reading, so a lying or chunked client cannot push past it.
/// </summary>
public static class UploadReader
{
    public static async Task<Upload> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellation)
    {
        if (request.ContentLength is long declared && declared > maxBytes + MultipartAllowance(request))
            throw new UploadException(StatusCodes.Status413PayloadTooLarge, $"The upload is {declared} bytes; the limit is {maxBytes}.");
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || type.MediaType.Value is not string media)
            throw new UploadException(StatusCodes.Status415UnsupportedMediaType, "Send the image as the body (Content-Type image/* or application/octet-stream) or as a multipart/form-data file.");

        if (media.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return await ReadFirstFileAsync(request, type, maxBytes, cancellation);
        if (!media.StartsWith("image/", StringComparison.OrdinalIgnoreCase) && !media.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase))
            throw new UploadException(StatusCodes.Status415UnsupportedMediaType, $"Content-Type {media} is not an image; send image/* or application/octet-stream, or a multipart/form-data file.");
        return await ReadBodyAsync(request.Body, request.ContentLength, maxBytes, cancellation);
    }

    /// <summary>
    /// The first file of a multipart/form-data body, streamed section by section with <see cref="MultipartReader"/>
    /// straight into the pooled buffer: no temporary file and no copy of the whole form (ReadFormAsync would buffer
    /// every file, to disk past 64 KiB). Sections before it (plain fields) are skipped as they stream past, within
    /// Kestrel's body limit.
    /// </summary>
    private static async Task<Upload> ReadFirstFileAsync(HttpRequest request, MediaTypeHeaderValue type, long maxBytes, CancellationToken cancellation)
    {
        string boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value ?? "";
        if (boundary.Length is 0 or > MaxBoundaryLength)
            throw new UploadException(StatusCodes.Status400BadRequest, "The form could not be read: its Content-Type has no usable boundary.");
        var reader = new MultipartReader(boundary, request.Body)
        {
            HeadersCountLimit = 16,
            HeadersLengthLimit = 16 * 1024,
            BodyLengthLimit = maxBytes + MultipartAllowance(request),
        };
        try
        {
            while (await reader.ReadNextSectionAsync(cancellation) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.IsFileDisposition())
                    continue; // a plain field: the next read skips past it
                return await ReadBodyAsync(section.Body, declared: null, maxBytes, cancellation);
            }
        }
        catch (InvalidDataException e) // the reader's own limits, or a malformed form
        {
            throw new UploadException(e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
                $"The form could not be read: {e.Message}");
        }
        catch (IOException e) when (e is not BadHttpRequestException && !cancellation.IsCancellationRequested)
        {
            throw new UploadException(StatusCodes.Status400BadRequest, $"The form could not be read: {e.Message}");
        }
        throw new UploadException(StatusCodes.Status400BadRequest, "The form holds no file.");
    }

    /// <summary>RFC 2046 caps a boundary at 70 characters.</summary>
    private const int MaxBoundaryLength = 70;

    /// <summary>Room for a form's boundaries and headers around the file itself.</summary>
    private static long MultipartAllowance(HttpRequest request) =>
        request.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) == true ? 64 * 1024 : 0;

    /// <summary>Reads into a pooled buffer, sized from the declared length when there is one, grown when not.</summary>
    private static async Task<Upload> ReadBodyAsync(Stream body, long? declared, long maxBytes, CancellationToken cancellation)
    {
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes + 1, declared is long d and > 0 ? d + 1 : 256 * 1024));
        int length = 0;
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(length), cancellation)) > 0)
            {
                length += read;
                if (length > maxBytes)
                    throw new UploadException(StatusCodes.Status413PayloadTooLarge, $"The upload is larger than the {maxBytes}-byte limit.");
                if (length == buffer.Length)
                {
                    byte[] larger = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes + 1, buffer.Length * 2L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }
            if (length == 0) throw new UploadException(StatusCodes.Status400BadRequest, "The request has no body: send an image.");
            return new Upload(buffer, length);
        }
        catch
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
