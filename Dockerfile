# Airflow image with crmhub installed (used by docker-compose.yaml for every Airflow service and the CRM sandbox).
FROM apache/airflow:3.3.2-python3.11
COPY --chown=airflow:root requirements.txt /opt/crmhub/requirements.txt
RUN pip install --no-cache-dir -r /opt/crmhub/requirements.txt
COPY --chown=airflow:root pyproject.toml README.md /opt/crmhub/
COPY --chown=airflow:root include /opt/crmhub/include
COPY --chown=airflow:root config /opt/crmhub/config
RUN pip install --no-cache-dir --no-deps -e /opt/crmhub
