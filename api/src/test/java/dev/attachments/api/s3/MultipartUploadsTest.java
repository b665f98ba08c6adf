package dev.attachments.api.s3;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MultipartUploadsTest {
  private static final long MIB = 1024 * 1024;
  private static final long TIB = 1024 * 1024 * MIB;

  @Test
  void partsAreAtLeastEightMibAndWholeMib() {
    assertThat(MultipartUploads.partSize(101 * MIB)).isEqualTo(8 * MIB);
    assertThat(MultipartUploads.partSize(80 * 1024 * MIB)).isEqualTo(9 * MIB);
    assertThat(MultipartUploads.partSize(3 * TIB) % MIB).isZero();
  }

  @Test
  void noFileUpToFiveTibNeedsMoreThanTenThousandParts() {
    for (long size :
        new long[] {8 * MIB * 10_000, 8 * MIB * 10_000 + 1, 1 * TIB, 5 * TIB - 1, 5 * TIB}) {
      long partSize = MultipartUploads.partSize(size);
      long parts = (size + partSize - 1) / partSize;
      assertThat(parts).as("parts of %d bytes", size).isLessThanOrEqualTo(10_000);
    }
  }
}
