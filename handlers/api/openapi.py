"""The OpenAPI 3.1 document of the HTTP API, made from the models that validate requests."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from handlers.api.models import Problem, ProjectCreate, ProjectOut, ProjectPage, ProjectQuery

REF = "#/components/schemas/{model}"
PROBLEM = "application/problem+json"


def _problem(description: str, **headers: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if headers:
        response["headers"] = {
            name: {"description": text, "schema": {"type": "integer"}}
            for name, text in headers.items()
        }
    return response


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}},
    }


def _query_parameters() -> list[dict[str, Any]]:
    schema = ProjectQuery.model_json_schema(ref_template=REF)
    parameters = []
    for name, prop in schema["properties"].items():
        description = prop.pop("description", None)
        prop.pop("title", None)
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": False}
        if description:
            parameter["description"] = description
        if name == "state":
            parameter["style"], parameter["explode"] = "form", True
        parameter["schema"] = prop
        parameters.append(parameter)
    return parameters


@cache
def document() -> dict[str, Any]:
    _, schemas = models_json_schema(
        [
            (ProjectCreate, "validation"),
            (ProjectOut, "serialization"),
            (ProjectPage, "serialization"),
            (Problem, "serialization"),
        ],
        ref_template=REF,
    )
    common = {
        "401": _problem("No bearer token, or not one of API_TOKENS"),
        "429": _problem("Too many requests for this token", **{"Retry-After": "Seconds to wait"}),
    }
    ref_parameter = {
        "name": "ref",
        "in": "path",
        "required": True,
        "description": "The project's id, or `ext:` and its external id (`ext:DEAL-1`)",
        "schema": {"type": "string"},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "onboardbot API",
            "version": "1.0.0",
            "description": "Start onboarding projects from a CRM and read their progress.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": schemas["$defs"],
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            },
        },
        "security": [{"bearer": []}, {"apiKey": []}],
        "paths": {
            "/api/v1/projects": {
                "post": {
                    "operationId": "createProject",
                    "summary": "Start a project (idempotent on external_id)",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": REF.format(model="ProjectCreate")}
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            **_json(ProjectOut, "Started: the kickoff runs in Slack now"),
                            "headers": {
                                "Location": {
                                    "description": "The project's URL",
                                    "schema": {"type": "string"},
                                }
                            },
                        },
                        "200": _json(ProjectOut, "This external_id's project, started before"),
                        "400": _problem("The body is not JSON"),
                        **common,
                        "403": _problem("A read-only token"),
                        "409": _problem("This customer has a running or starting project"),
                        "413": _problem("The body is larger than 64 KiB"),
                        "415": _problem("The body is not application/json"),
                        "422": _problem("Fields that are wrong, each named in `errors`"),
                        "503": _problem(
                            "Slack could not be reached", **{"Retry-After": "Seconds to wait"}
                        ),
                    },
                },
                "get": {
                    "operationId": "listProjects",
                    "summary": "Projects, in pages, by state and time of the last change",
                    "parameters": _query_parameters(),
                    "responses": {
                        "200": _json(ProjectPage, "One page of projects"),
                        **common,
                        "422": _problem("Query parameters that are wrong"),
                    },
                },
            },
            "/api/v1/projects/{ref}": {
                "get": {
                    "operationId": "getProject",
                    "summary": "One project by id or external id",
                    "parameters": [ref_parameter],
                    "responses": {
                        "200": _json(ProjectOut, "The project"),
                        **common,
                        "404": _problem("No such project"),
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "The OpenAPI document"}},
                }
            },
        },
    }
