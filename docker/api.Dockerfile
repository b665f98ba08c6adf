# syntax=docker/dockerfile:1
# The API image. Build from the repository root: docker build -f docker/api.Dockerfile -t attachments-api .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# the Maven repository is a BuildKit cache: dependencies are downloaded once, not at every source change
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -T1 package -DskipTests -pl api -am

FROM eclipse-temurin:17-jre
# curl for the compose's health check (/health/readiness)
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home attachments
COPY --from=build /src/api/target/attachments-api.jar /app/attachments-api.jar
COPY --chmod=755 docker/entrypoint.sh /app/entrypoint.sh
USER 10001
# 8080 for clients; 8081 for operators (/prometheus), never published
EXPOSE 8080 8081
# secrets come in files (ATTACHMENTS_*_FILE), read into their variables by the entrypoint
ENTRYPOINT ["/app/entrypoint.sh", "java", "-XX:MaxRAMPercentage=75", "-jar", "/app/attachments-api.jar"]
