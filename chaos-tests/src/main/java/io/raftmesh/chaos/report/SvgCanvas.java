package io.raftmesh.chaos.report;

import java.util.List;
import java.util.Locale;

/** A minimal SVG writer: the few elements the plots use, with escaped text. */
final class SvgCanvas {
  private final StringBuilder body = new StringBuilder();
  private final int width;
  private final int height;

  SvgCanvas(int width, int height) {
    this.width = width;
    this.height = height;
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&apos;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  SvgCanvas rect(double x, double y, double w, double h, String fill, double opacity, String cls) {
    body.append("<rect class=\"")
        .append(cls)
        .append("\" x=\"")
        .append(num(x))
        .append("\" y=\"")
        .append(num(y))
        .append("\" width=\"")
        .append(num(Math.max(w, 0.5)))
        .append("\" height=\"")
        .append(num(h))
        .append("\" fill=\"")
        .append(fill)
        .append("\" fill-opacity=\"")
        .append(num(opacity))
        .append("\"/>\n");
    return this;
  }

  SvgCanvas line(double x1, double y1, double x2, double y2, String stroke) {
    body.append("<line x1=\"")
        .append(num(x1))
        .append("\" y1=\"")
        .append(num(y1))
        .append("\" x2=\"")
        .append(num(x2))
        .append("\" y2=\"")
        .append(num(y2))
        .append("\" stroke=\"")
        .append(stroke)
        .append("\" stroke-width=\"1\"/>\n");
    return this;
  }

  SvgCanvas circle(double cx, double cy, double r, String fill, String cls) {
    body.append("<circle class=\"")
        .append(cls)
        .append("\" cx=\"")
        .append(num(cx))
        .append("\" cy=\"")
        .append(num(cy))
        .append("\" r=\"")
        .append(num(r))
        .append("\" fill=\"")
        .append(fill)
        .append("\"/>\n");
    return this;
  }

  SvgCanvas polyline(List<double[]> points, String stroke, String cls) {
    body.append("<polyline class=\"")
        .append(cls)
        .append("\" fill=\"none\" stroke=\"")
        .append(stroke)
        .append("\" stroke-width=\"1.5\" points=\"");
    for (double[] p : points) {
      body.append(num(p[0])).append(',').append(num(p[1])).append(' ');
    }
    body.append("\"/>\n");
    return this;
  }

  SvgCanvas text(double x, double y, String text, String anchor, int size) {
    body.append("<text x=\"")
        .append(num(x))
        .append("\" y=\"")
        .append(num(y))
        .append("\" text-anchor=\"")
        .append(anchor)
        .append("\" font-size=\"")
        .append(size)
        .append("\">")
        .append(escape(text))
        .append("</text>\n");
    return this;
  }

  String render() {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\""
        + width
        + "\" height=\""
        + height
        + "\" viewBox=\"0 0 "
        + width
        + " "
        + height
        + "\" font-family=\"sans-serif\">\n"
        + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        + body
        + "</svg>\n";
  }
}
