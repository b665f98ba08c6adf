# The worker image. Build from the repository root: docker build -f docker/worker.Dockerfile -t attachments-worker .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -T1 package -DskipTests -pl worker -am

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --no-create-home attachments
COPY --from=build /src/worker/target/attachments-worker.jar /app/attachments-worker.jar
USER 10001
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/attachments-worker.jar"]
