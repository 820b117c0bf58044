package dev.ambit.ztunnel.admin;

/** A small HTTP response: status, content type and UTF-8 body. */
public record HttpResponse(int status, String contentType, String body) {

  public static HttpResponse text(int status, String body) {
    return new HttpResponse(status, "text/plain; charset=utf-8", body);
  }

  public static HttpResponse json(String body) {
    return new HttpResponse(200, "application/json", body);
  }
}
